import Foundation
import SQLiteNIO
import TesseraStore

extension SQLiteStore: ClientStore {
    public func createClient(_ client: Client) async throws(StoreError) {
        try await run(
            """
            INSERT INTO clients (id, server, name, auth_method, secrets, jwks, jwks_uri, scopes, claims, enabled, created_at, introspects, rate_limit,
                                 previous_jwks, previous_jwks_expires, grant_types, redirect_uris, post_logout_redirect_uris, first_party)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(client.id), .text(client.server), .text(client.name), .text(client.authMethod.rawValue),
             .text(ColumnText.secrets(client.secrets)), .text(client.jwks), .text(client.jwksURI),
             .json(client.scopes), .text(ColumnText.encodeObject(client.claims)), .integer(client.enabled ? 1 : 0), .date(client.createdAt),
             .json(client.introspectableResources), .text(client.rateLimit?.description), .text(client.previousJWKS),
             client.previousJWKSExpiresAt.map { .date($0) } ?? .null, .json(client.grantTypes), .json(client.redirectURIs),
             .json(client.postLogoutRedirectURIs), .integer(client.firstParty ? 1 : 0)],
            duplicate: "client \(client.id)")
    }

    public func updateClient(_ client: Client) async throws(StoreError) {
        try await change(
            """
            UPDATE clients SET name = ?, auth_method = ?, secrets = ?, jwks = ?, jwks_uri = ?,
            scopes = ?, claims = ?, enabled = ?, introspects = ?, rate_limit = ?, previous_jwks = ?, previous_jwks_expires = ?,
            grant_types = ?, redirect_uris = ?, post_logout_redirect_uris = ?, first_party = ? WHERE id = ?
            """,
            [.text(client.name), .text(client.authMethod.rawValue), .text(ColumnText.secrets(client.secrets)),
             .text(client.jwks), .text(client.jwksURI), .json(client.scopes), .text(ColumnText.encodeObject(client.claims)),
             .integer(client.enabled ? 1 : 0), .json(client.introspectableResources), .text(client.rateLimit?.description), .text(client.previousJWKS),
             client.previousJWKSExpiresAt.map { .date($0) } ?? .null, .json(client.grantTypes), .json(client.redirectURIs),
             .json(client.postLogoutRedirectURIs), .integer(client.firstParty ? 1 : 0), .text(client.id)],
            missing: "client \(client.id)")
    }

    public func deleteClient(id: String) async throws(StoreError) {
        try await change("DELETE FROM clients WHERE id = ?", [.text(id)], missing: "client \(id)")
    }

    public func client(id: String) async throws(StoreError) -> Client? {
        try await run("SELECT * FROM clients WHERE id = ?", [.text(id)]).first.map(Self.client(from:))
    }

    public func listClients(server: String) async throws(StoreError) -> [Client] {
        try await run("SELECT * FROM clients WHERE server = ? ORDER BY created_at, id", [.text(server)]).map(Self.client(from:))
    }

    public func recordSecretUses(_ uses: [SecretUse]) async throws(StoreError) {
        let latest = SecretUse.latestPerSecret(uses)
        var start = latest.startIndex
        while start < latest.endIndex {
            let chunk = latest[start..<min(start + 1_000, latest.endIndex)]
            let rows = Array(repeating: "(?, ?, ?)", count: chunk.count).joined(separator: ", ")
            try await run("INSERT INTO client_secret_uses (client_id, secret_id, last_used) VALUES \(rows) "
                          + "ON CONFLICT (client_id, secret_id) DO UPDATE SET last_used = max(last_used, excluded.last_used)",
                          chunk.flatMap { [SQLiteData.text($0.clientID), .text($0.secretID), .date($0.at)] })
            start = chunk.endIndex
        }
    }

    public func secretUses(clientID: String) async throws(StoreError) -> [String: Date] {
        var uses: [String: Date] = [:]
        for row in try await run("SELECT secret_id, last_used FROM client_secret_uses WHERE client_id = ?", [.text(clientID)]) {
            uses[row.text("secret_id") ?? ""] = row.date("last_used")
        }
        return uses
    }

    static func client(from row: SQLiteRow) -> Client {
        Client(
            id: row.text("id") ?? "", server: row.text("server") ?? "", name: row.text("name") ?? "",
            authMethod: ClientAuthMethod(rawValue: row.text("auth_method") ?? "") ?? .none,
            secrets: ColumnText.secrets(from: row.text("secrets")),
            jwks: row.text("jwks"), jwksURI: row.text("jwks_uri"), scopes: ColumnText.strings(from: row.text("scopes")),
            claims: ColumnText.object(from: row.text("claims")),
            introspectableResources: ColumnText.strings(from: row.text("introspects")),
            enabled: row.int("enabled") != 0, createdAt: row.date("created_at"), rateLimit: RateLimit(stored: row.text("rate_limit")),
            previousJWKS: row.text("previous_jwks"), previousJWKSExpiresAt: row.column("previous_jwks_expires")?.double.map(Date.init(timeIntervalSince1970:)),
            grantTypes: ColumnText.strings(from: row.text("grant_types")), redirectURIs: ColumnText.strings(from: row.text("redirect_uris")),
            postLogoutRedirectURIs: ColumnText.strings(from: row.text("post_logout_redirect_uris")), firstParty: row.int("first_party") != 0)
    }
}
