import Foundation
import SQLiteNIO
import TesseraStore

extension SQLiteStore: TokenStore {
    public func saveToken(_ record: TokenRecord) async throws(StoreError) {
        try await run(
            """
            INSERT INTO tokens (hash, kind, server, client_id, subject, username, scopes, audiences, claims, jti,
                                issued_at, not_before, expires_at, revoked, parent_hash, used_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.blob(record.hash), .text(record.kind.rawValue), .text(record.server), .text(record.clientID), .text(record.subject),
             .text(record.username), .json(record.scopes), .json(record.audiences), .text(ColumnText.encodeObject(record.claims)),
             .text(record.jti), .date(record.issuedAt), .date(record.notBefore), .date(record.expiresAt),
             .integer(record.revoked ? 1 : 0), .blob(record.parentHash), record.usedAt.map { .date($0) } ?? .null],
            duplicate: "token")
    }

    public func token(hash: Data) async throws(StoreError) -> TokenRecord? {
        try await run("SELECT * FROM tokens WHERE hash = ?", [.blob(hash)]).first.map(Self.token(from:))
    }

    public func useToken(hash: Data, clientID: String, at time: Date) async throws(StoreError) -> TokenUse {
        // RETURNING reads the row as updated; the record handed back is the one from before the use.
        if let row = try await run("UPDATE tokens SET used_at = ? WHERE hash = ? AND client_id = ? AND used_at IS NULL RETURNING *",
                                   [.date(time), .blob(hash), .text(clientID)]).first {
            var record = Self.token(from: row)
            record.usedAt = nil
            return .first(record)
        }
        guard let record = try await token(hash: hash) else { return .unknown }
        return record.clientID == clientID ? .again(record) : .otherClient(record)
    }

    public func tokens(subject: String, kind: TokenRecord.Kind) async throws(StoreError) -> [TokenRecord] {
        try await run("SELECT * FROM tokens WHERE subject = ? AND kind = ? ORDER BY issued_at DESC", [.text(subject), .text(kind.rawValue)])
            .map(Self.token(from:))
    }

    static func token(from row: SQLiteRow) -> TokenRecord {
        let kind = TokenRecord.Kind(rawValue: row.text("kind") ?? "") ?? .accessToken
        let scopes = ColumnText.strings(from: row.text("scopes"))
        let audiences = ColumnText.strings(from: row.text("audiences"))
        let claims = ColumnText.object(from: row.text("claims"))
        let usedAt: Date? = row.column("used_at")?.double.map(Date.init(timeIntervalSince1970:))
        let hash: Data = row.column("hash")?.data ?? Data()
        let parent: Data? = row.column("parent_hash")?.data
        return TokenRecord(
            hash: hash, kind: kind, server: row.text("server") ?? "", clientID: row.text("client_id") ?? "", subject: row.text("subject") ?? "",
            username: row.text("username"), scopes: scopes, audiences: audiences, claims: claims, jti: row.text("jti") ?? "",
            issuedAt: row.date("issued_at"), notBefore: row.date("not_before"), expiresAt: row.date("expires_at"), revoked: row.int("revoked") != 0,
            parentHash: parent, usedAt: usedAt)
    }

    public func revokeToken(hash: Data, now: Date) async throws(StoreError) -> Bool {
        // Children first, the token itself last: a failure half-way leaves the parent active, so a
        // retried revocation redoes everything.
        try await run("UPDATE tokens SET revoked = 1 WHERE parent_hash = ?", [.blob(hash)])
        try await run(
            """
            INSERT INTO jti_deny_list (server, jti, expires_at)
            SELECT server, jti, expires_at FROM token_jwt_links WHERE parent_hash = ?
            ON CONFLICT (server, jti) DO NOTHING
            """,
            [.blob(hash)])
        return !(try await run("UPDATE tokens SET revoked = 1 WHERE hash = ? RETURNING 1 AS touched", [.blob(hash)]).isEmpty)
    }

    public func linkJWT(parentHash: Data, server: String, jti: String, expiresAt: Date) async throws(StoreError) {
        try await run("INSERT INTO token_jwt_links (parent_hash, server, jti, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      [.blob(parentHash), .text(server), .text(jti), .date(expiresAt)])
    }

    public func denyJTI(server: String, jti: String, expiresAt: Date) async throws(StoreError) {
        try await run("INSERT INTO jti_deny_list (server, jti, expires_at) VALUES (?, ?, ?) ON CONFLICT (server, jti) DO NOTHING",
                      [.text(server), .text(jti), .date(expiresAt)])
    }

    public func isDenied(server: String, jti: String) async throws(StoreError) -> Bool {
        !(try await run("SELECT 1 AS denied FROM jti_deny_list WHERE server = ? AND jti = ?", [.text(server), .text(jti)]).isEmpty)
    }

    public func purgeExpiredTokens(now: Date) async throws(StoreError) -> Int {
        var removed = 0
        for (statement, before) in Self.expiryPurges {
            removed += try await run(statement, [.date(now.addingTimeInterval(-before))]).count
        }
        return removed
    }

    /// Each purge and how long before now its cutoff lies; each searches an index on its column (schema 14).
    /// Failure counters of sign-ins go a day after their window started: longer than any lockout window.
    static let expiryPurges: [(statement: String, before: TimeInterval)] =
        ["tokens", "token_jwt_links", "jti_deny_list"].map { ("DELETE FROM \($0) WHERE expires_at < ? RETURNING 1 AS gone", 0) }
        + [("DELETE FROM sign_in_failures WHERE window_start < ? RETURNING 1 AS gone", 86_400)]
}
