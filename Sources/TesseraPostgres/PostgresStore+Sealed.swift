import Foundation
import PostgresNIO
import TesseraStore

extension PostgresStore: LeaseStore, SealedDataStore {
    public func acquireLease(_ name: String, holder: String, until: Date, now: Date) async throws(StoreError) -> Bool {
        // One statement: PostgreSQL's upsert decides between two nodes asking at once.
        let rows = try await run(
            """
            INSERT INTO leases (name, holder, expires_at) VALUES (\(name), \(holder), \(until.timeIntervalSince1970))
            ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
            WHERE leases.holder = EXCLUDED.holder OR leases.expires_at <= \(now.timeIntervalSince1970)
            RETURNING holder
            """)
        return !rows.isEmpty
    }

    public func masterKeyCheck() async throws(StoreError) -> MasterKeyCheckRecord? {
        guard let row = try await run("SELECT sealed, changed_at FROM master_key_check WHERE id = 1").first,
              let sealed = try row.bytes("sealed") else { return nil }
        return MasterKeyCheckRecord(sealed: sealed, changedAt: try row.date("changed_at"))
    }

    public func recordMasterKeyCheck(_ sealed: Data, at time: Date) async throws(StoreError) -> MasterKeyCheckRecord {
        try await run("""
            INSERT INTO master_key_check (id, sealed, changed_at) VALUES (1, \(sealed.bytea), \(time.timeIntervalSince1970))
            ON CONFLICT (id) DO NOTHING
            """)
        guard let recorded = try await masterKeyCheck() else { throw StoreError.unavailable("the master key check was not recorded") }
        return recorded
    }

    public func sealedSample() async throws(StoreError) -> Data? {
        try await run("SELECT encrypted_private_key FROM signing_keys ORDER BY kid LIMIT 1").first?.bytes("encrypted_private_key")
    }

    /// One transaction; the rows are locked (`FOR UPDATE`), so a key or secret written meanwhile by
    /// another node waits for the commit instead of being left sealed under the old key.
    public func resealAll(check: Data, at time: Date, _ reseal: @escaping @Sendable (Data) -> Data?) async throws(StoreError) -> ResealCount? {
        do {
            return try await transaction { [logger] connection in
                var count = ResealCount(signingKeys: 0, clientSecrets: 0)
                _ = try await connection.query("LOCK TABLE signing_keys, clients IN SHARE ROW EXCLUSIVE MODE", logger: logger)
                for row in try await connection.query("SELECT kid, encrypted_private_key FROM signing_keys", logger: logger).collect().map(PostgresRowReader.init) {
                    guard let box = try row.bytes("encrypted_private_key").flatMap(reseal) else { throw Self.resealRefused }
                    _ = try await connection.query("UPDATE signing_keys SET encrypted_private_key = \(box.bytea) WHERE kid = \(try row.text("kid"))", logger: logger)
                    count.signingKeys += 1
                }
                for row in try await connection.query("SELECT id, secrets FROM clients", logger: logger).collect().map(PostgresRowReader.init) {
                    guard let secrets = ColumnText.secrets(from: try row.text("secrets")).resealed(reseal) else { throw Self.resealRefused }
                    guard secrets.count > 0 else { continue }
                    _ = try await connection.query(
                        "UPDATE clients SET secrets = \(ColumnText.secrets(secrets.entries)) WHERE id = \(try row.text("id"))", logger: logger)
                    count.clientSecrets += secrets.count
                }
                _ = try await connection.query("""
                    INSERT INTO master_key_check (id, sealed, changed_at) VALUES (1, \(check.bytea), \(time.timeIntervalSince1970))
                    ON CONFLICT (id) DO UPDATE SET sealed = EXCLUDED.sealed, changed_at = EXCLUDED.changed_at
                    """, logger: logger)
                return count
            }
        } catch let error where error == Self.resealRefused {
            return nil
        }
    }

    /// Thrown inside the reseal transaction to roll it back when a value does not open (nothing else
    /// there throws `notFound`).
    private static let resealRefused = StoreError.notFound("a sealed value that opens with the old master key")
}
