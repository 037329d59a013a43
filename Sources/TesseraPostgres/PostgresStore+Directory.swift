import Foundation
import PostgresNIO
import TesseraStore

extension PostgresStore: ServerStore, ScopeStore, ClientStore, KeyStore {
    public func createServer(_ server: AuthorizationServer) async throws(StoreError) {
        try await run(
            """
            INSERT INTO servers (name, audiences, access_token_ttl, claims, token_format, created_at, rate_limit, max_assertion_lifetime, key_rotation,
                                 refresh_token_ttl, refresh_token_idle_ttl, groups_claim)
            VALUES (\(server.name), \(ColumnText.strings(server.audiences)), \(server.accessTokenTTL), \(ColumnText.encodeObject(server.claims)),
                    \(server.tokenFormat.rawValue), \(server.createdAt.timeIntervalSince1970), \(server.rateLimit?.description),
                    \(server.maxAssertionLifetime), \(server.keyRotation), \(server.refreshTokenLifetime), \(server.refreshTokenIdleLifetime),
                    \(server.groupsClaim))
            """,
            duplicate: "server \(server.name)")
    }

    public func updateServer(_ server: AuthorizationServer) async throws(StoreError) {
        try await change(
            """
            UPDATE servers SET audiences = \(ColumnText.strings(server.audiences)), access_token_ttl = \(server.accessTokenTTL),
            claims = \(ColumnText.encodeObject(server.claims)), token_format = \(server.tokenFormat.rawValue),
            rate_limit = \(server.rateLimit?.description), max_assertion_lifetime = \(server.maxAssertionLifetime),
            key_rotation = \(server.keyRotation), refresh_token_ttl = \(server.refreshTokenLifetime),
            refresh_token_idle_ttl = \(server.refreshTokenIdleLifetime), groups_claim = \(server.groupsClaim) WHERE name = \(server.name)
            """,
            missing: "server \(server.name)")
    }

    public func server(named name: String) async throws(StoreError) -> AuthorizationServer? {
        try await run("SELECT * FROM servers WHERE name = \(name)").first.map(Self.server(from:))
    }

    public func listServers() async throws(StoreError) -> [AuthorizationServer] {
        try await run("SELECT * FROM servers ORDER BY name").map(Self.server(from:))
    }

    public func serversWithKeyRotation() async throws(StoreError) -> [AuthorizationServer] {
        try await run("SELECT * FROM servers WHERE key_rotation IS NOT NULL ORDER BY name").map(Self.server(from:))
    }

    public func hasServer(otherThan name: String) async throws(StoreError) -> Bool {
        try await !run("SELECT 1 AS present FROM servers WHERE name <> \(name) LIMIT 1").isEmpty
    }

    static func server(from row: PostgresRowReader) throws(StoreError) -> AuthorizationServer {
        AuthorizationServer(
            name: try row.text("name"), audiences: ColumnText.strings(from: try row.text("audiences")),
            accessTokenTTL: try row.int("access_token_ttl"), claims: ColumnText.object(from: try row.text("claims")),
            tokenFormat: TokenFormat(rawValue: try row.text("token_format")) ?? .jwt, createdAt: try row.date("created_at"),
            rateLimit: RateLimit(stored: try row.optionalText("rate_limit")), maxAssertionLifetime: try row.optionalInt("max_assertion_lifetime"),
            keyRotation: try row.optionalInt("key_rotation"), refreshTokenLifetime: try row.optionalInt("refresh_token_ttl"),
            refreshTokenIdleLifetime: try row.optionalInt("refresh_token_idle_ttl"), groupsClaim: try row.bool("groups_claim"))
    }

    public func createScope(_ scope: Scope) async throws(StoreError) {
        try await run("INSERT INTO scopes (server, name, description) VALUES (\(scope.server), \(scope.name), \(scope.description))",
                      duplicate: "scope \(scope.name) on server \(scope.server)")
    }

    public func updateScope(_ scope: Scope) async throws(StoreError) {
        try await change("UPDATE scopes SET description = \(scope.description) WHERE server = \(scope.server) AND name = \(scope.name)",
                         missing: "scope \(scope.name) on server \(scope.server)")
    }

    public func deleteScope(server: String, name: String) async throws(StoreError) {
        try await change("DELETE FROM scopes WHERE server = \(server) AND name = \(name)", missing: "scope \(name) on server \(server)")
    }

    /// One transaction; the server row is locked first, so a client registered meanwhile either sees no
    /// server or keeps it.
    public func deleteServer(name: String) async throws(StoreError) -> Bool {
        try await transaction { [logger] connection in
            guard try await !connection.query("SELECT 1 FROM servers WHERE name = \(name) FOR UPDATE", logger: logger).collect().isEmpty else {
                throw StoreError.notFound("server \(name)")
            }
            guard try await connection.query("SELECT 1 FROM clients WHERE server = \(name) LIMIT 1", logger: logger).collect().isEmpty else { return false }
            _ = try await connection.query("DELETE FROM scopes WHERE server = \(name)", logger: logger)
            _ = try await connection.query("DELETE FROM signing_keys WHERE server = \(name)", logger: logger)
            _ = try await connection.query("DELETE FROM servers WHERE name = \(name)", logger: logger)
            return true
        }
    }

    public func scopes(server: String) async throws(StoreError) -> [Scope] {
        try await run("SELECT * FROM scopes WHERE server = \(server) ORDER BY name").map { row throws(StoreError) in
            Scope(server: try row.text("server"), name: try row.text("name"), description: try row.optionalText("description"))
        }
    }

    public func createClient(_ client: Client) async throws(StoreError) {
        try await run(
            """
            INSERT INTO clients (id, server, name, auth_method, secrets, jwks, jwks_uri, scopes, claims, enabled, created_at, introspects, rate_limit,
                                 previous_jwks, previous_jwks_expires, grant_types, redirect_uris, post_logout_redirect_uris, first_party)
            VALUES (\(client.id), \(client.server), \(client.name), \(client.authMethod.rawValue), \(ColumnText.secrets(client.secrets)),
                    \(client.jwks), \(client.jwksURI), \(ColumnText.strings(client.scopes)),
                    \(ColumnText.encodeObject(client.claims)), \(client.enabled), \(client.createdAt.timeIntervalSince1970),
                    \(ColumnText.strings(client.introspectableResources)), \(client.rateLimit?.description), \(client.previousJWKS),
                    \(client.previousJWKSExpiresAt?.timeIntervalSince1970), \(ColumnText.strings(client.grantTypes)),
                    \(ColumnText.strings(client.redirectURIs)), \(ColumnText.strings(client.postLogoutRedirectURIs)), \(client.firstParty))
            """,
            duplicate: "client \(client.id)")
    }

    public func updateClient(_ client: Client) async throws(StoreError) {
        try await change(
            """
            UPDATE clients SET name = \(client.name), auth_method = \(client.authMethod.rawValue), secrets = \(ColumnText.secrets(client.secrets)),
            jwks = \(client.jwks), jwks_uri = \(client.jwksURI),
            scopes = \(ColumnText.strings(client.scopes)), claims = \(ColumnText.encodeObject(client.claims)), enabled = \(client.enabled),
            introspects = \(ColumnText.strings(client.introspectableResources)), rate_limit = \(client.rateLimit?.description),
            previous_jwks = \(client.previousJWKS), previous_jwks_expires = \(client.previousJWKSExpiresAt?.timeIntervalSince1970),
            grant_types = \(ColumnText.strings(client.grantTypes)), redirect_uris = \(ColumnText.strings(client.redirectURIs)),
            post_logout_redirect_uris = \(ColumnText.strings(client.postLogoutRedirectURIs)), first_party = \(client.firstParty) WHERE id = \(client.id)
            """,
            missing: "client \(client.id)")
    }

    public func deleteClient(id: String) async throws(StoreError) {
        try await change("DELETE FROM clients WHERE id = \(id)", missing: "client \(id)")
    }

    public func client(id: String) async throws(StoreError) -> Client? {
        try await run("SELECT * FROM clients WHERE id = \(id)").first.map(Self.client(from:))
    }

    public func listClients(server: String) async throws(StoreError) -> [Client] {
        try await run("SELECT * FROM clients WHERE server = \(server) ORDER BY created_at, id").map(Self.client(from:))
    }

    public func recordSecretUses(_ uses: [SecretUse]) async throws(StoreError) {
        let latest = SecretUse.latestPerSecret(uses)
        guard !latest.isEmpty else { return }
        // One statement: three arrays unnested into rows.
        try await run("""
            INSERT INTO client_secret_uses (client_id, secret_id, last_used)
            SELECT * FROM unnest(\(latest.map(\.clientID))::text[], \(latest.map(\.secretID))::text[], \(latest.map(\.at.timeIntervalSince1970))::double precision[])
            ON CONFLICT (client_id, secret_id) DO UPDATE SET last_used = GREATEST(client_secret_uses.last_used, excluded.last_used)
            """)
    }

    public func secretUses(clientID: String) async throws(StoreError) -> [String: Date] {
        var uses: [String: Date] = [:]
        for row in try await run("SELECT secret_id, last_used FROM client_secret_uses WHERE client_id = \(clientID)") {
            uses[try row.text("secret_id")] = try row.date("last_used")
        }
        return uses
    }

    static func client(from row: PostgresRowReader) throws(StoreError) -> Client {
        Client(
            id: try row.text("id"), server: try row.text("server"), name: try row.text("name"),
            authMethod: ClientAuthMethod(rawValue: try row.text("auth_method")) ?? .none,
            secrets: ColumnText.secrets(from: try row.text("secrets")),
            jwks: try row.optionalText("jwks"), jwksURI: try row.optionalText("jwks_uri"), scopes: ColumnText.strings(from: try row.text("scopes")),
            claims: ColumnText.object(from: try row.text("claims")),
            introspectableResources: ColumnText.strings(from: try row.text("introspects")),
            enabled: try row.bool("enabled"), createdAt: try row.date("created_at"), rateLimit: RateLimit(stored: try row.optionalText("rate_limit")),
            previousJWKS: try row.optionalText("previous_jwks"), previousJWKSExpiresAt: try row.optionalDate("previous_jwks_expires"),
            grantTypes: ColumnText.strings(from: try row.text("grant_types")), redirectURIs: ColumnText.strings(from: try row.text("redirect_uris")),
            postLogoutRedirectURIs: ColumnText.strings(from: try row.text("post_logout_redirect_uris")), firstParty: try row.bool("first_party"))
    }

    public func addKey(_ key: SigningKey) async throws(StoreError) {
        try await run(
            """
            INSERT INTO signing_keys (kid, server, algorithm, encrypted_private_key, public_jwk, active, created_at, activates_at, retires_at)
            VALUES (\(key.kid), \(key.server), \(key.algorithm), \(key.encryptedPrivateKey.bytea), \(key.publicJWK), \(key.active),
                    \(key.createdAt.timeIntervalSince1970), \(key.activatesAt.timeIntervalSince1970), \(key.retiresAt?.timeIntervalSince1970))
            """,
            duplicate: "key \(key.kid)")
    }

    public func updateKey(_ key: SigningKey) async throws(StoreError) {
        try await change("""
            UPDATE signing_keys SET active = \(key.active), activates_at = \(key.activatesAt.timeIntervalSince1970),
            retires_at = \(key.retiresAt?.timeIntervalSince1970) WHERE kid = \(key.kid)
            """, missing: "key \(key.kid)")
    }

    public func keys(server: String) async throws(StoreError) -> [SigningKey] {
        try await run("SELECT * FROM signing_keys WHERE server = \(server) ORDER BY created_at DESC, kid").map { row throws(StoreError) in
            SigningKey(
                server: try row.text("server"), kid: try row.text("kid"), algorithm: try row.text("algorithm"),
                encryptedPrivateKey: try row.bytes("encrypted_private_key") ?? Data(), publicJWK: try row.text("public_jwk"),
                active: try row.bool("active"), createdAt: try row.date("created_at"),
                activatesAt: try row.optionalDate("activates_at"), retiresAt: try row.optionalDate("retires_at"))
        }
    }
}
