import Foundation
import SQLiteNIO
import TesseraStore

extension SQLiteStore: ServerStore, ScopeStore {
    public func createServer(_ server: AuthorizationServer) async throws(StoreError) {
        try await run(
            "INSERT INTO servers (name, audiences, access_token_ttl, claims, token_format, created_at, rate_limit, max_assertion_lifetime, key_rotation, "
            + "refresh_token_ttl, refresh_token_idle_ttl, groups_claim) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(server.name), .json(server.audiences), .integer(server.accessTokenTTL), .text(ColumnText.encodeObject(server.claims)),
             .text(server.tokenFormat.rawValue), .date(server.createdAt), .text(server.rateLimit?.description), .integer(server.maxAssertionLifetime),
             .integer(server.keyRotation), .integer(server.refreshTokenLifetime), .integer(server.refreshTokenIdleLifetime),
             .integer(server.groupsClaim ? 1 : 0)],
            duplicate: "server \(server.name)")
    }

    public func updateServer(_ server: AuthorizationServer) async throws(StoreError) {
        try await change(
            "UPDATE servers SET audiences = ?, access_token_ttl = ?, claims = ?, token_format = ?, rate_limit = ?, max_assertion_lifetime = ?, key_rotation = ?, "
            + "refresh_token_ttl = ?, refresh_token_idle_ttl = ?, groups_claim = ? WHERE name = ?",
            [.json(server.audiences), .integer(server.accessTokenTTL), .text(ColumnText.encodeObject(server.claims)),
             .text(server.tokenFormat.rawValue), .text(server.rateLimit?.description), .integer(server.maxAssertionLifetime),
             .integer(server.keyRotation), .integer(server.refreshTokenLifetime), .integer(server.refreshTokenIdleLifetime),
             .integer(server.groupsClaim ? 1 : 0), .text(server.name)],
            missing: "server \(server.name)")
    }

    public func server(named name: String) async throws(StoreError) -> AuthorizationServer? {
        try await run("SELECT * FROM servers WHERE name = ?", [.text(name)]).first.map(Self.server(from:))
    }

    public func listServers() async throws(StoreError) -> [AuthorizationServer] {
        try await run("SELECT * FROM servers ORDER BY name").map(Self.server(from:))
    }

    public func serversWithKeyRotation() async throws(StoreError) -> [AuthorizationServer] {
        try await run("SELECT * FROM servers WHERE key_rotation IS NOT NULL ORDER BY name").map(Self.server(from:))
    }

    public func hasServer(otherThan name: String) async throws(StoreError) -> Bool {
        try await !run("SELECT 1 AS present FROM servers WHERE name <> ? LIMIT 1", [.text(name)]).isEmpty
    }

    static func server(from row: SQLiteRow) -> AuthorizationServer {
        AuthorizationServer(
            name: row.text("name") ?? "", audiences: ColumnText.strings(from: row.text("audiences")),
            accessTokenTTL: row.int("access_token_ttl"), claims: ColumnText.object(from: row.text("claims")),
            tokenFormat: TokenFormat(rawValue: row.text("token_format") ?? "") ?? .jwt, createdAt: row.date("created_at"),
            rateLimit: RateLimit(stored: row.text("rate_limit")), maxAssertionLifetime: row.column("max_assertion_lifetime")?.integer,
            keyRotation: row.column("key_rotation")?.integer, refreshTokenLifetime: row.column("refresh_token_ttl")?.integer,
            refreshTokenIdleLifetime: row.column("refresh_token_idle_ttl")?.integer, groupsClaim: row.int("groups_claim") != 0)
    }

    public func createScope(_ scope: Scope) async throws(StoreError) {
        try await run("INSERT INTO scopes (server, name, description) VALUES (?, ?, ?)",
                      [.text(scope.server), .text(scope.name), .text(scope.description)],
                      duplicate: "scope \(scope.name) on server \(scope.server)")
    }

    public func updateScope(_ scope: Scope) async throws(StoreError) {
        try await change("UPDATE scopes SET description = ? WHERE server = ? AND name = ?",
                         [.text(scope.description), .text(scope.server), .text(scope.name)], missing: "scope \(scope.name) on server \(scope.server)")
    }

    public func deleteScope(server: String, name: String) async throws(StoreError) {
        try await change("DELETE FROM scopes WHERE server = ? AND name = ?", [.text(server), .text(name)], missing: "scope \(name) on server \(server)")
    }

    /// One transaction on a connection of its own: the server row goes only while no client names it,
    /// and its scopes and keys go with it (a server created later under the name starts empty).
    public func deleteServer(name: String) async throws(StoreError) -> Bool {
        try await inOwnTransaction("deleting server \(name)") { connection async throws -> Bool in
            let server = [SQLiteData.text(name)]
            guard try await !connection.query("SELECT 1 FROM servers WHERE name = ?", server).isEmpty else { throw StoreError.notFound("server \(name)") }
            guard try await connection.query("SELECT 1 FROM clients WHERE server = ? LIMIT 1", server).isEmpty else { return false }
            let _: [SQLiteRow] = try await connection.query("DELETE FROM scopes WHERE server = ?", server)
            let _: [SQLiteRow] = try await connection.query("DELETE FROM signing_keys WHERE server = ?", server)
            let _: [SQLiteRow] = try await connection.query("DELETE FROM servers WHERE name = ?", server)
            return true
        }
    }

    public func scopes(server: String) async throws(StoreError) -> [Scope] {
        try await run("SELECT * FROM scopes WHERE server = ? ORDER BY name", [.text(server)]).map { row in
            Scope(server: row.text("server") ?? "", name: row.text("name") ?? "", description: row.text("description"))
        }
    }
}
