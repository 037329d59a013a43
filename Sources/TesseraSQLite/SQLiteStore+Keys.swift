import Foundation
import SQLiteNIO
import TesseraStore

extension SQLiteStore: KeyStore, ChangeSignal {
    public func addKey(_ key: SigningKey) async throws(StoreError) {
        try await run(
            "INSERT INTO signing_keys (kid, server, algorithm, encrypted_private_key, public_jwk, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [.text(key.kid), .text(key.server), .text(key.algorithm), .blob(key.encryptedPrivateKey), .text(key.publicJWK),
             .integer(key.active ? 1 : 0), .date(key.createdAt)],
            duplicate: "key \(key.kid)")
    }

    public func updateKey(_ key: SigningKey) async throws(StoreError) {
        try await change("UPDATE signing_keys SET active = ? WHERE kid = ?", [.integer(key.active ? 1 : 0), .text(key.kid)], missing: "key \(key.kid)")
    }

    public func keys(server: String) async throws(StoreError) -> [SigningKey] {
        try await run("SELECT * FROM signing_keys WHERE server = ? ORDER BY created_at DESC, kid", [.text(server)]).map { row in
            SigningKey(
                server: row.text("server") ?? "", kid: row.text("kid") ?? "", algorithm: row.text("algorithm") ?? "",
                encryptedPrivateKey: row.column("encrypted_private_key")?.data ?? Data(), publicJWK: row.text("public_jwk") ?? "{}",
                active: row.int("active") != 0, createdAt: row.date("created_at"))
        }
    }

    public func changeVersion() async throws(StoreError) -> Int64 {
        Int64(try await run("PRAGMA data_version").first?.column("data_version")?.integer ?? 0)
    }
}
