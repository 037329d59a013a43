import Foundation
import PostgresNIO
import TesseraStore

extension PostgresStore: TokenStore, ReplayStore, ChangeSignal {
    public func saveToken(_ record: TokenRecord) async throws(StoreError) {
        try await run(
            """
            INSERT INTO tokens (hash, kind, server, client_id, subject, username, scopes, audiences, claims, jti,
                                issued_at, not_before, expires_at, revoked, parent_hash, used_at)
            VALUES (\(record.hash.bytea), \(record.kind.rawValue), \(record.server), \(record.clientID), \(record.subject), \(record.username),
                    \(ColumnText.strings(record.scopes)), \(ColumnText.strings(record.audiences)), \(ColumnText.encodeObject(record.claims)),
                    \(record.jti), \(record.issuedAt.timeIntervalSince1970), \(record.notBefore.timeIntervalSince1970),
                    \(record.expiresAt.timeIntervalSince1970), \(record.revoked), \(record.parentHash?.bytea),
                    \(record.usedAt?.timeIntervalSince1970))
            """,
            duplicate: "token")
    }

    public func token(hash: Data) async throws(StoreError) -> TokenRecord? {
        try await run("SELECT * FROM tokens WHERE hash = \(hash.bytea)").first.map(Self.token(from:))
    }

    public func useToken(hash: Data, clientID: String, at time: Date) async throws(StoreError) -> TokenUse {
        // Of two concurrent uses the second waits for the first's row lock and then finds used_at set.
        if let row = try await run("UPDATE tokens SET used_at = \(time.timeIntervalSince1970) WHERE hash = \(hash.bytea) AND client_id = \(clientID) AND used_at IS NULL RETURNING *").first {
            var record = try Self.token(from: row)
            record.usedAt = nil
            return .first(record)
        }
        guard let record = try await token(hash: hash) else { return .unknown }
        return record.clientID == clientID ? .again(record) : .otherClient(record)
    }

    public func tokens(subject: String, kind: TokenRecord.Kind) async throws(StoreError) -> [TokenRecord] {
        try await run("SELECT * FROM tokens WHERE subject = \(subject) AND kind = \(kind.rawValue) ORDER BY issued_at DESC").map(Self.token(from:))
    }

    static func token(from row: PostgresRowReader) throws(StoreError) -> TokenRecord {
        TokenRecord(
            hash: try row.bytes("hash") ?? Data(), kind: TokenRecord.Kind(rawValue: try row.text("kind")) ?? .accessToken,
            server: try row.text("server"), clientID: try row.text("client_id"), subject: try row.text("subject"),
            username: try row.optionalText("username"), scopes: ColumnText.strings(from: try row.text("scopes")),
            audiences: ColumnText.strings(from: try row.text("audiences")), claims: ColumnText.object(from: try row.text("claims")),
            jti: try row.text("jti"), issuedAt: try row.date("issued_at"), notBefore: try row.date("not_before"),
            expiresAt: try row.date("expires_at"), revoked: try row.bool("revoked"), parentHash: try row.bytes("parent_hash"),
            usedAt: try row.optionalDate("used_at"))
    }

    public func revokeToken(hash: Data, now: Date) async throws(StoreError) -> Bool {
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

    public func linkJWT(parentHash: Data, server: String, jti: String, expiresAt: Date) async throws(StoreError) {
        try await run("""
            INSERT INTO token_jwt_links (parent_hash, server, jti, expires_at)
            VALUES (\(parentHash.bytea), \(server), \(jti), \(expiresAt.timeIntervalSince1970)) ON CONFLICT DO NOTHING
            """)
    }

    public func denyJTI(server: String, jti: String, expiresAt: Date) async throws(StoreError) {
        try await run("""
            INSERT INTO jti_deny_list (server, jti, expires_at) VALUES (\(server), \(jti), \(expiresAt.timeIntervalSince1970))
            ON CONFLICT (server, jti) DO NOTHING
            """)
    }

    public func isDenied(server: String, jti: String) async throws(StoreError) -> Bool {
        !(try await run("SELECT 1 FROM jti_deny_list WHERE server = \(server) AND jti = \(jti)").isEmpty)
    }

    public func purgeExpiredTokens(now: Date) async throws(StoreError) -> Int {
        var removed = 0
        for table in ["tokens", "token_jwt_links", "jti_deny_list"] {
            removed += try await run("DELETE FROM \(unescaped: table) WHERE expires_at < \(now.timeIntervalSince1970) RETURNING 1", deadline: .seconds(60)).count
        }
        removed += try await run("DELETE FROM sign_in_failures WHERE window_start < \(now.timeIntervalSince1970 - 86_400) RETURNING 1", deadline: .seconds(60)).count
        return removed
    }

    public func claim(clientID: String, jti: String, expiresAt: Date, now: Date) async throws(StoreError) -> Bool {
        // Of two concurrent claims, the second waits for the first's row and then sees it unexpired:
        // exactly one gets a row back, on this node or any other.
        let rows = try await run(
            """
            INSERT INTO assertion_replays (client_id, jti, expires_at) VALUES (\(clientID), \(jti), \(expiresAt.timeIntervalSince1970))
            ON CONFLICT (client_id, jti) DO UPDATE SET expires_at = excluded.expires_at
            WHERE assertion_replays.expires_at < \(now.timeIntervalSince1970)
            RETURNING 1
            """)
        return !rows.isEmpty
    }

    public func purgeExpired(now: Date) async throws(StoreError) -> Int {
        try await run("DELETE FROM assertion_replays WHERE expires_at < \(now.timeIntervalSince1970) RETURNING 1", deadline: .seconds(60)).count
    }

    public func changeVersion() async throws(StoreError) -> Int64 {
        Int64(try await run("SELECT version FROM change_version WHERE id = 1", deadline: .seconds(1)).first?.int("version") ?? 0)
    }

    public func changes(after version: Int64, limit: Int) async throws(StoreError) -> [ConfigChange] {
        var changes: [ConfigChange] = []
        for row in try await run("SELECT version, kind, key FROM config_changes WHERE version > \(version) ORDER BY version LIMIT \(limit)", deadline: .seconds(1)) {
            // An unknown kind (a newer node's) is left out: the gap it leaves makes the reader drop everything.
            guard let kind = ConfigChange.Kind(rawValue: try row.text("kind")) else { continue }
            changes.append(ConfigChange(version: Int64(try row.int("version")), kind: kind, key: try row.text("key")))
        }
        return changes
    }

    public func purgeChanges(before cutoff: Date) async throws(StoreError) -> Int {
        try await run("DELETE FROM config_changes WHERE at < \(cutoff.timeIntervalSince1970) RETURNING 1", deadline: .seconds(60)).count
    }
}
