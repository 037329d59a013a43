import Foundation
import SQLiteNIO
import TesseraStore

extension SQLiteStore: ClientStore {
    public func createClient(_ client: Client) async throws(StoreError) {
        try await run(
            """
            INSERT INTO clients (id, server, name, auth_method, secret_hash, encrypted_secret, jwks, jwks_uri, scopes, claims, enabled, created_at, introspects,
                                 rate_limit)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(client.id), .text(client.server), .text(client.name), .text(client.authMethod.rawValue),
             .blob(client.secretHash), .blob(client.encryptedSecret), .text(client.jwks), .text(client.jwksURI),
             .json(client.scopes), .text(ColumnText.encodeObject(client.claims)), .integer(client.enabled ? 1 : 0), .date(client.createdAt),
             .json(client.introspectableResources), .text(client.rateLimit?.description)],
            duplicate: "client \(client.id)")
    }

    public func updateClient(_ client: Client) async throws(StoreError) {
        try await change(
            """
            UPDATE clients SET name = ?, auth_method = ?, secret_hash = ?, encrypted_secret = ?, jwks = ?, jwks_uri = ?,
            scopes = ?, claims = ?, enabled = ?, introspects = ?, rate_limit = ? WHERE id = ?
            """,
            [.text(client.name), .text(client.authMethod.rawValue), .blob(client.secretHash), .blob(client.encryptedSecret),
             .text(client.jwks), .text(client.jwksURI), .json(client.scopes), .text(ColumnText.encodeObject(client.claims)),
             .integer(client.enabled ? 1 : 0), .json(client.introspectableResources), .text(client.rateLimit?.description), .text(client.id)],
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

    static func client(from row: SQLiteRow) -> Client {
        Client(
            id: row.text("id") ?? "", server: row.text("server") ?? "", name: row.text("name") ?? "",
            authMethod: ClientAuthMethod(rawValue: row.text("auth_method") ?? "") ?? .none,
            secretHash: row.column("secret_hash")?.data, encryptedSecret: row.column("encrypted_secret")?.data,
            jwks: row.text("jwks"), jwksURI: row.text("jwks_uri"), scopes: ColumnText.strings(from: row.text("scopes")),
            claims: ColumnText.object(from: row.text("claims")),
            introspectableResources: ColumnText.strings(from: row.text("introspects")),
            enabled: row.int("enabled") != 0, createdAt: row.date("created_at"), rateLimit: RateLimit(stored: row.text("rate_limit")))
    }
}
