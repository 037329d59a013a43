import Foundation
import SQLiteNIO
import TesseraStore

extension SQLiteStore: KeyStore, ReplayStore, ChangeSignal {
    public func addKey(_ key: SigningKey) async throws {
        try await run(
            "INSERT INTO signing_keys (kid, server, algorithm, encrypted_private_key, public_jwk, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [.text(key.kid), .text(key.server), .text(key.algorithm), .blob(key.encryptedPrivateKey), .text(key.publicJWK),
             .integer(key.active ? 1 : 0), .date(key.createdAt)],
            duplicate: "key \(key.kid)")
    }

    public func updateKey(_ key: SigningKey) async throws {
        try await change("UPDATE signing_keys SET active = ? WHERE kid = ?", [.integer(key.active ? 1 : 0), .text(key.kid)], missing: "key \(key.kid)")
    }

    public func keys(server: String) async throws -> [SigningKey] {
        try await run("SELECT * FROM signing_keys WHERE server = ? ORDER BY created_at DESC, kid", [.text(server)]).map { row in
            SigningKey(
                server: row.text("server") ?? "", kid: row.text("kid") ?? "", algorithm: row.text("algorithm") ?? "",
                encryptedPrivateKey: row.column("encrypted_private_key")?.data ?? Data(), publicJWK: row.text("public_jwk") ?? "{}",
                active: row.int("active") != 0, createdAt: row.date("created_at"))
        }
    }

    /// Claims that arrive together are written together (`ReplayClaimGroups`); each is answered as if alone.
    public func claim(clientID: String, jti: String, expiresAt: Date, now: Date) async throws -> Bool {
        let claim = ReplayClaimGroups.Claim(key: .init(clientID: clientID, jti: jti), expiresAt: expiresAt, now: now)
        return try await replayClaims.claim(claim) { [self] group in try await writeClaims(group) }
    }

    /// One statement for a group of claims with distinct keys; the rows it returns are the fresh claims.
    /// A stored claim is taken over only once it has expired, judged by the earliest clock in the group
    /// (a claim at the very edge of expiry may be refused as a replay, never the other way round).
    private func writeClaims(_ group: [ReplayClaimGroups.Claim]) async throws -> Set<ReplayClaimGroups.Key> {
        guard let now = group.map(\.now).min() else { return [] }
        var binds: [SQLiteData] = []
        binds.reserveCapacity(group.count * 3 + 1)
        for claim in group {
            binds += [.text(claim.key.clientID), .text(claim.key.jti), .date(claim.expiresAt)]
        }
        binds.append(.date(now))
        let rows = try await run(
            """
            INSERT INTO assertion_replays (client_id, jti, expires_at) VALUES \(Array(repeating: "(?, ?, ?)", count: group.count).joined(separator: ", "))
            ON CONFLICT (client_id, jti) DO UPDATE SET expires_at = excluded.expires_at
            WHERE assertion_replays.expires_at < ?
            RETURNING client_id, jti
            """,
            binds)
        return Set(rows.map { ReplayClaimGroups.Key(clientID: $0.text("client_id") ?? "", jti: $0.text("jti") ?? "") })
    }

    public func purgeExpired(now: Date) async throws -> Int {
        try await run("DELETE FROM assertion_replays WHERE expires_at < ? RETURNING 1 AS gone", [.date(now)]).count
    }

    public func changeVersion() async throws -> Int64 {
        Int64(try await run("PRAGMA data_version").first?.column("data_version")?.integer ?? 0)
    }
}
