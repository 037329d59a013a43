import Foundation
import SQLiteNIO
import TesseraStore

extension SQLiteStore: LeaseStore, SealedDataStore {
    public func acquireLease(_ name: String, holder: String, until: Date, now: Date) async throws(StoreError) -> Bool {
        let rows = try await run(
            """
            INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE leases.holder = excluded.holder OR leases.expires_at <= ?
            RETURNING holder
            """,
            [.text(name), .text(holder), .date(until), .date(now)])
        return !rows.isEmpty
    }

    public func masterKeyCheck() async throws(StoreError) -> MasterKeyCheckRecord? {
        try await run("SELECT sealed, changed_at FROM master_key_check WHERE id = 1").first.flatMap(Self.masterKeyCheck(from:))
    }

    public func recordMasterKeyCheck(_ sealed: Data, at time: Date) async throws(StoreError) -> MasterKeyCheckRecord {
        try await run("INSERT INTO master_key_check (id, sealed, changed_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING", [.blob(sealed), .date(time)])
        guard let recorded = try await masterKeyCheck() else { throw StoreError.unavailable("the master key check was not recorded") }
        return recorded
    }

    public func sealedSample() async throws(StoreError) -> Data? {
        try await run("SELECT encrypted_private_key FROM signing_keys ORDER BY kid LIMIT 1").first?.column("encrypted_private_key")?.data
    }

    public func resealAll(check: Data, at time: Date, _ reseal: @escaping @Sendable (Data) -> Data?) async throws(StoreError) -> ResealCount? {
        do throws(StoreError) {
            return try await inOwnTransaction("resealing", rollbackOn: { $0 == nil }) { connection in
                try await Self.reseal(on: connection, check: check, at: time, reseal)
            }
        } catch {
            if case .unavailable(let why) = error { throw .unavailable("resealing failed, nothing changed: \(why)") }
            throw error
        }
    }

    private static func reseal(on connection: SQLiteConnection, check: Data, at time: Date,
                               _ reseal: (Data) -> Data?) async throws -> ResealCount? {
        var count = ResealCount(signingKeys: 0, clientSecrets: 0)
        for row in try await connection.query("SELECT kid, encrypted_private_key FROM signing_keys") {
            guard let box = row.column("encrypted_private_key")?.data.flatMap(reseal) else { return nil }
            _ = try await connection.query("UPDATE signing_keys SET encrypted_private_key = ? WHERE kid = ?", [.blob(box), .text(row.text("kid"))])
            count.signingKeys += 1
        }
        for row in try await connection.query("SELECT id, secrets FROM clients") {
            guard let secrets = ColumnText.secrets(from: row.text("secrets")).resealed(reseal) else { return nil }
            guard secrets.count > 0 else { continue }
            _ = try await connection.query("UPDATE clients SET secrets = ? WHERE id = ?", [.text(ColumnText.secrets(secrets.entries)), .text(row.text("id"))])
            count.clientSecrets += secrets.count
        }
        _ = try await connection.query(
            "INSERT INTO master_key_check (id, sealed, changed_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET sealed = excluded.sealed, changed_at = excluded.changed_at",
            [.blob(check), .date(time)])
        return count
    }

    static func masterKeyCheck(from row: SQLiteRow) -> MasterKeyCheckRecord? {
        row.column("sealed")?.data.map { MasterKeyCheckRecord(sealed: $0, changedAt: row.date("changed_at")) }
    }
}
