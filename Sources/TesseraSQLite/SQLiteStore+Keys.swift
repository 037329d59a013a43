import Foundation
import SQLiteNIO
import TesseraStore

extension SQLiteStore: KeyStore, ChangeSignal {
    public func addKey(_ key: SigningKey) async throws(StoreError) {
        try await run(
            "INSERT INTO signing_keys (kid, server, algorithm, encrypted_private_key, public_jwk, active, created_at, activates_at, retires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(key.kid), .text(key.server), .text(key.algorithm), .blob(key.encryptedPrivateKey), .text(key.publicJWK),
             .integer(key.active ? 1 : 0), .date(key.createdAt), .date(key.activatesAt), key.retiresAt.map { .date($0) } ?? .null],
            duplicate: "key \(key.kid)")
    }

    public func updateKey(_ key: SigningKey) async throws(StoreError) {
        try await change("UPDATE signing_keys SET active = ?, activates_at = ?, retires_at = ? WHERE kid = ?",
                         [.integer(key.active ? 1 : 0), .date(key.activatesAt), key.retiresAt.map { .date($0) } ?? .null, .text(key.kid)], missing: "key \(key.kid)")
    }

    public func keys(server: String) async throws(StoreError) -> [SigningKey] {
        try await run("SELECT * FROM signing_keys WHERE server = ? ORDER BY created_at DESC, kid", [.text(server)]).map { row in
            SigningKey(
                server: row.text("server") ?? "", kid: row.text("kid") ?? "", algorithm: row.text("algorithm") ?? "",
                encryptedPrivateKey: row.column("encrypted_private_key")?.data ?? Data(), publicJWK: row.text("public_jwk") ?? "{}",
                active: row.int("active") != 0, createdAt: row.date("created_at"),
                activatesAt: row.column("activates_at")?.double.map(Date.init(timeIntervalSince1970:)),
                retiresAt: row.column("retires_at")?.double.map(Date.init(timeIntervalSince1970:)))
        }
    }

    public func changeVersion() async throws(StoreError) -> Int64 {
        Int64(try await run("SELECT seq FROM sqlite_sequence WHERE name = 'config_changes'").first?.column("seq")?.integer ?? 0)
    }

    public func changes(after version: Int64, limit: Int) async throws(StoreError) -> [ConfigChange] {
        try await run("SELECT version, kind, key FROM config_changes WHERE version > ? ORDER BY version LIMIT ?", [.integer(Int(version)), .integer(limit)])
            .compactMap { row in
                ConfigChange.Kind(rawValue: row.text("kind") ?? "").map { ConfigChange(version: Int64(row.int("version")), kind: $0, key: row.text("key") ?? "") }
            }
    }

    public func purgeChanges(before cutoff: Date) async throws(StoreError) -> Int {
        try await run("DELETE FROM config_changes WHERE at < ? RETURNING 1", [.date(cutoff)]).count
    }
}
