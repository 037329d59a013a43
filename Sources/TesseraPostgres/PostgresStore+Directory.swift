import Foundation
import PostgresNIO
import TesseraStore

extension PostgresStore: ServerStore, ScopeStore, ClientStore, KeyStore {
    public func createServer(_ server: AuthorizationServer) async throws {
        try await run(
            "INSERT INTO servers (name, audiences, access_token_ttl, claims, token_format, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            PostgresBindings(server.name, ColumnText.strings(server.audiences), server.accessTokenTTL, ColumnText.encodeObject(server.claims),
                             server.tokenFormat.rawValue, server.createdAt),
            duplicate: "server \(server.name)")
    }

    public func updateServer(_ server: AuthorizationServer) async throws {
        try await change(
            "UPDATE servers SET audiences = $1, access_token_ttl = $2, claims = $3, token_format = $4 WHERE name = $5",
            PostgresBindings(ColumnText.strings(server.audiences), server.accessTokenTTL, ColumnText.encodeObject(server.claims),
                             server.tokenFormat.rawValue, server.name),
            missing: "server \(server.name)")
    }

    public func server(named name: String) async throws -> AuthorizationServer? {
        try await run("SELECT * FROM servers WHERE name = $1", PostgresBindings(name)).first.map(Self.server(from:))
    }

    public func listServers() async throws -> [AuthorizationServer] {
        try await run("SELECT * FROM servers ORDER BY name").map(Self.server(from:))
    }

    static func server(from row: PostgresRowReader) throws -> AuthorizationServer {
        AuthorizationServer(
            name: try row.text("name"), audiences: ColumnText.strings(from: try row.text("audiences")),
            accessTokenTTL: try row.int("access_token_ttl"), claims: ColumnText.object(from: try row.text("claims")),
            tokenFormat: TokenFormat(rawValue: try row.text("token_format")) ?? .jwt, createdAt: try row.date("created_at"))
    }

    public func createScope(_ scope: Scope) async throws {
        try await run("INSERT INTO scopes (server, name, description) VALUES ($1, $2, $3)",
                      PostgresBindings(scope.server, scope.name, scope.description),
                      duplicate: "scope \(scope.name) on server \(scope.server)")
    }

    public func scopes(server: String) async throws -> [Scope] {
        try await run("SELECT * FROM scopes WHERE server = $1 ORDER BY name", PostgresBindings(server)).map { row in
            Scope(server: try row.text("server"), name: try row.text("name"), description: try row.optionalText("description"))
        }
    }

    public func createClient(_ client: Client) async throws {
        try await run(
            """
            INSERT INTO clients (id, server, name, auth_method, secret_hash, encrypted_secret, jwks, jwks_uri, scopes, claims, enabled, created_at, introspects)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            """,
            PostgresBindings(client.id, client.server, client.name, client.authMethod.rawValue, client.secretHash, client.encryptedSecret,
                             client.jwks, client.jwksURI, ColumnText.strings(client.scopes), ColumnText.encodeObject(client.claims),
                             client.enabled, client.createdAt, ColumnText.strings(client.introspectableResources)),
            duplicate: "client \(client.id)")
    }

    public func updateClient(_ client: Client) async throws {
        try await change(
            """
            UPDATE clients SET name = $1, auth_method = $2, secret_hash = $3, encrypted_secret = $4, jwks = $5, jwks_uri = $6,
            scopes = $7, claims = $8, enabled = $9, introspects = $10 WHERE id = $11
            """,
            PostgresBindings(client.name, client.authMethod.rawValue, client.secretHash, client.encryptedSecret, client.jwks, client.jwksURI,
                             ColumnText.strings(client.scopes), ColumnText.encodeObject(client.claims), client.enabled,
                             ColumnText.strings(client.introspectableResources), client.id),
            missing: "client \(client.id)")
    }

    public func deleteClient(id: String) async throws {
        try await change("DELETE FROM clients WHERE id = $1", PostgresBindings(id), missing: "client \(id)")
    }

    public func client(id: String) async throws -> Client? {
        try await run("SELECT * FROM clients WHERE id = $1", PostgresBindings(id)).first.map(Self.client(from:))
    }

    public func listClients(server: String) async throws -> [Client] {
        try await run("SELECT * FROM clients WHERE server = $1 ORDER BY created_at, id", PostgresBindings(server)).map(Self.client(from:))
    }

    static func client(from row: PostgresRowReader) throws -> Client {
        Client(
            id: try row.text("id"), server: try row.text("server"), name: try row.text("name"),
            authMethod: ClientAuthMethod(rawValue: try row.text("auth_method")) ?? .none,
            secretHash: try row.bytes("secret_hash"), encryptedSecret: try row.bytes("encrypted_secret"),
            jwks: try row.optionalText("jwks"), jwksURI: try row.optionalText("jwks_uri"), scopes: ColumnText.strings(from: try row.text("scopes")),
            claims: ColumnText.object(from: try row.text("claims")),
            introspectableResources: ColumnText.strings(from: try row.text("introspects")),
            enabled: try row.bool("enabled"), createdAt: try row.date("created_at"))
    }

    public func addKey(_ key: SigningKey) async throws {
        try await run(
            "INSERT INTO signing_keys (kid, server, algorithm, encrypted_private_key, public_jwk, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            PostgresBindings(key.kid, key.server, key.algorithm, key.encryptedPrivateKey, key.publicJWK, key.active, key.createdAt),
            duplicate: "key \(key.kid)")
    }

    public func updateKey(_ key: SigningKey) async throws {
        try await change("UPDATE signing_keys SET active = $1 WHERE kid = $2", PostgresBindings(key.active, key.kid), missing: "key \(key.kid)")
    }

    public func keys(server: String) async throws -> [SigningKey] {
        try await run("SELECT * FROM signing_keys WHERE server = $1 ORDER BY created_at DESC, kid", PostgresBindings(server)).map { row in
            SigningKey(
                server: try row.text("server"), kid: try row.text("kid"), algorithm: try row.text("algorithm"),
                encryptedPrivateKey: try row.bytes("encrypted_private_key") ?? Data(), publicJWK: try row.text("public_jwk"),
                active: try row.bool("active"), createdAt: try row.date("created_at"))
        }
    }
}
