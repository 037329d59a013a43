import Foundation
import PostgresNIO
import TesseraStore

extension PostgresStore: TokenStore, ReplayStore, ChangeSignal {
    public func saveToken(_ record: TokenRecord) async throws {
        try await run(
            """
            INSERT INTO tokens (hash, kind, server, client_id, subject, username, scopes, audiences, claims, jti,
                                issued_at, not_before, expires_at, revoked, parent_hash)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            """,
            PostgresBindings(record.hash, record.kind.rawValue, record.server, record.clientID, record.subject, record.username,
                             ColumnText.strings(record.scopes), ColumnText.strings(record.audiences), ColumnText.encodeObject(record.claims),
                             record.jti, record.issuedAt, record.notBefore, record.expiresAt, record.revoked, record.parentHash),
            duplicate: "token")
    }

    public func token(hash: Data) async throws -> TokenRecord? {
        try await run("SELECT * FROM tokens WHERE hash = $1", PostgresBindings(hash)).first.map { row in
            TokenRecord(
                hash: try row.bytes("hash") ?? Data(), kind: TokenRecord.Kind(rawValue: try row.text("kind")) ?? .accessToken,
                server: try row.text("server"), clientID: try row.text("client_id"), subject: try row.text("subject"),
                username: try row.optionalText("username"), scopes: ColumnText.strings(from: try row.text("scopes")),
                audiences: ColumnText.strings(from: try row.text("audiences")), claims: ColumnText.object(from: try row.text("claims")),
                jti: try row.text("jti"), issuedAt: try row.date("issued_at"), notBefore: try row.date("not_before"),
                expiresAt: try row.date("expires_at"), revoked: try row.bool("revoked"), parentHash: try row.bytes("parent_hash"))
        }
    }

    public func revokeToken(hash: Data, now: Date) async throws -> Bool {
        // One transaction: the children, the JWTs issued from the token and the token itself go together.
        let bytes = ByteBuffer(bytes: hash)
        return try await transaction { [logger] connection in
            _ = try await connection.query("UPDATE tokens SET revoked = TRUE WHERE parent_hash = \(bytes)", logger: logger)
            _ = try await connection.query(
                """
                INSERT INTO jti_deny_list (server, jti, expires_at)
                SELECT server, jti, expires_at FROM token_jwt_links WHERE parent_hash = \(bytes)
                ON CONFLICT (server, jti) DO NOTHING
                """, logger: logger)
            let touched = try await connection.query("UPDATE tokens SET revoked = TRUE WHERE hash = \(bytes) RETURNING 1", logger: logger).collect()
            return !touched.isEmpty
        }
    }

    public func linkJWT(parentHash: Data, server: String, jti: String, expiresAt: Date) async throws {
        try await run("INSERT INTO token_jwt_links (parent_hash, server, jti, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                      PostgresBindings(parentHash, server, jti, expiresAt))
    }

    public func denyJTI(server: String, jti: String, expiresAt: Date) async throws {
        try await run("INSERT INTO jti_deny_list (server, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT (server, jti) DO NOTHING",
                      PostgresBindings(server, jti, expiresAt))
    }

    public func isDenied(server: String, jti: String) async throws -> Bool {
        !(try await run("SELECT 1 FROM jti_deny_list WHERE server = $1 AND jti = $2", PostgresBindings(server, jti)).isEmpty)
    }

    public func purgeExpiredTokens(now: Date) async throws -> Int {
        var removed = 0
        for table in ["tokens", "token_jwt_links", "jti_deny_list"] {
            removed += try await run("DELETE FROM \(table) WHERE expires_at < $1 RETURNING 1", PostgresBindings(now), deadline: .seconds(60)).count
        }
        return removed
    }

    public func claim(clientID: String, jti: String, expiresAt: Date, now: Date) async throws -> Bool {
        // Of two concurrent claims, the second waits for the first's row and then sees it unexpired:
        // exactly one gets a row back, on this node or any other.
        let rows = try await run(
            """
            INSERT INTO assertion_replays (client_id, jti, expires_at) VALUES ($1, $2, $3)
            ON CONFLICT (client_id, jti) DO UPDATE SET expires_at = excluded.expires_at
            WHERE assertion_replays.expires_at < $4
            RETURNING 1
            """,
            PostgresBindings(clientID, jti, expiresAt, now))
        return !rows.isEmpty
    }

    public func purgeExpired(now: Date) async throws -> Int {
        try await run("DELETE FROM assertion_replays WHERE expires_at < $1 RETURNING 1", PostgresBindings(now), deadline: .seconds(60)).count
    }

    public func changeVersion() async throws -> Int64 {
        Int64(try await run("SELECT version FROM change_version WHERE id = 1", deadline: .seconds(1)).first?.int("version") ?? 0)
    }
}
