import Foundation
import TesseraJSON
import TesseraStore

/// `/api/v1/servers/{name}/clients` and `/api/v1/clients/{id}`: clients, their secrets and keys.
/// A secret is in the answer that creates or rotates it, and never again.
extension ManagementAPI {
    static let clientFlowFields = ["grant_types", "redirect_uris", "post_logout_redirect_uris", "first_party"]
    static let clientCreateFields = ["client_id", "name", "token_endpoint_auth_method", "jwks", "jwks_uri", "scopes", "claims", "introspects"] + clientFlowFields
    static let clientUpdateFields = ["name", "enabled", "scopes", "claims", "introspects", "rate_limit"] + clientFlowFields

    public func listClients(server name: String, caller: Caller) async throws(OAuthError) -> Answer {
        let clients = try await admin("listing clients") { () async throws -> [Client] in
            _ = try await administration.requireServer(name)
            return try await stores.clients.listClients(server: name)
        }
        return Self.list("clients", clients.map(ManagementJSON.client), caller: caller, "listed \(clients.count) clients of server \(name)")
    }

    public func client(_ id: String, caller: Caller) async throws(OAuthError) -> Answer {
        let client = try await admin("reading the client") { try await administration.requireClient(id) }
        return Self.answer(200, ManagementJSON.client(client), caller: caller, "read client \(id)", changed: false)
    }

    /// What `POST /api/v1/servers/{name}/clients` asks for, read from its body (also `tessera apply`'s on the database).
    public struct ClientCreation: Sendable {
        public var id: String?
        public var name: String
        public var method: ClientAuthMethod
        public var jwks: String?
        public var jwksURI: String?
        public var scopes: [String]
        public var claims: [String: JSONValue]
        public var introspects: [String]
        public var flow: Administration.ClientFlowSettings
    }

    public static func clientCreation(_ input: ManagementInput) throws(OAuthError) -> ClientCreation {
        try input.allowOnly(Self.clientCreateFields)
        let clientName = try input.string("name", required: true) ?? ""
        guard !clientName.isEmpty, clientName.count <= 200 else {
            throw ManagementInput.problem(.apiFieldInvalid, "name", "field \"name\" must have 1 to 200 characters")
        }
        let method = try input.choice("token_endpoint_auth_method", required: true, of: ClientAuthMethod.self,
                                      allowed: ClientAuthMethod.allCases.map(\.rawValue)) ?? .clientSecretBasic
        return ClientCreation(id: try input.string("client_id"), name: clientName, method: method,
                              jwks: try input.object("jwks").map { JSONValue.encodeObject($0) }, jwksURI: try input.string("jwks_uri"),
                              scopes: try input.strings("scopes") ?? [], claims: try input.object("claims") ?? [:],
                              introspects: try input.strings("introspects") ?? [], flow: try Self.flow(input))
    }

    public func createClient(server name: String, _ input: ManagementInput, caller: Caller) async throws(OAuthError) -> Answer {
        let creation = try Self.clientCreation(input)
        let created = try await admin("creating the client", field: "client_id") { try await administration.createClient(server: name, creation) }
        var body = ManagementJSON.client(created.client)
        if let secret = created.secret { body.insert(("client_secret", .string(secret)), at: 1) }
        return Self.answer(201, body, etag: false, location: "/api/v1/clients/\(created.client.id)", caller: caller,
                           "created client \(created.client.id) (\(creation.method.rawValue)) on server \(name)",
                           detail: ["server": name, "target_client": created.client.id], changed: true)
    }

    /// What `PATCH /api/v1/clients/{id}` asks to change, read from its body.
    public static func clientChange(_ input: ManagementInput) throws(OAuthError) -> Administration.ClientChange {
        try input.allowOnly(Self.clientUpdateFields)
        var change = Administration.ClientChange()
        change.name = try input.string("name")
        change.enabled = try input.bool("enabled")
        change.scopes = try input.strings("scopes")
        change.claims = try input.object("claims")
        change.introspects = try input.strings("introspects")
        change.rateLimit = try input.rateLimit("rate_limit")
        change.flow = try Self.flow(input)
        return change
    }

    public func updateClient(_ id: String, _ input: ManagementInput, ifMatch: String?, caller: Caller) async throws(OAuthError) -> Answer {
        let change = try Self.clientChange(input)
        guard !(id == caller.clientID && change.enabled == false) else {
            throw OAuthError(.conflict, .apiConflict, "client \(id) is the one making this call; disable it with another admin client")
        }
        let client = try await conditionally("client \(id)", ifMatch: ifMatch) { () async throws(OAuthError) -> Client in
            try await checkCurrent(id, ifMatch: ifMatch)
            return try await admin("updating the client") { try await administration.updateClient(id: id, change) }
        }
        return Self.answer(200, ManagementJSON.client(client), caller: caller, "updated client \(id)",
                           detail: Self.fields(input).merging(["target_client": id]) { own, _ in own }, changed: true)
    }

    public func deleteClient(_ id: String, ifMatch: String?, caller: Caller) async throws(OAuthError) -> Answer {
        guard id != caller.clientID else {
            throw OAuthError(.conflict, .apiConflict, "client \(id) is the one making this call; delete it with another admin client")
        }
        try await conditionally("client \(id)", ifMatch: ifMatch) { () async throws(OAuthError) in
            try await checkCurrent(id, ifMatch: ifMatch)
            try await admin("deleting the client") { try await administration.deleteClient(id: id) }
        }
        return Self.answer(204, nil, caller: caller, "deleted client \(id)", detail: ["target_client": id], changed: true)
    }

    /// `POST /api/v1/clients/{id}/secrets`: a new secret; the old ones keep working `keep_old_for` seconds (default a day).
    public func rotateSecret(_ id: String, _ input: ManagementInput, caller: Caller) async throws(OAuthError) -> Answer {
        try input.allowOnly(["keep_old_for"])
        let overlap = try input.integer("keep_old_for", in: 0...31_536_000).map(TimeInterval.init) ?? Administration.defaultSecretOverlap
        let rotated = try await admin("rotating the secret") { try await administration.rotateSecret(clientID: id, keepOldFor: overlap) }
        var body = ManagementJSON.client(rotated.client)
        body.insert(("client_secret", .string(rotated.secret ?? "")), at: 1)
        body.insert(("secret_id", .string(rotated.client.secrets.first?.id ?? "")), at: 2)
        return Self.answer(201, body, etag: false, location: "/api/v1/clients/\(id)", caller: caller,
                           "rotated the secret of client \(id); old secrets end in \(Int(overlap)) s",
                           detail: ["target_client": id, "secret_id": rotated.client.secrets.first?.id ?? "", "keep_old_for": "\(Int(overlap))"], changed: true)
    }

    /// `GET /api/v1/clients/{id}/secrets`: the secrets' ids and times with when each last authenticated
    /// (kept apart from the client, so an authentication changes no ETag); never a secret.
    public func listSecrets(_ id: String, caller: Caller) async throws(OAuthError) -> Answer {
        let secrets = try await admin("listing the secrets") { try await administration.secrets(clientID: id) }
        let now = administration.clock.now
        return Self.list("secrets", secrets.map { entry, lastUsed in
            [("id", .string(entry.id)), ("created_at", ManagementJSON.time(entry.createdAt)), ("expires_at", entry.expiresAt.map(ManagementJSON.time) ?? .null),
             ("last_used_at", lastUsed.map(ManagementJSON.time) ?? .null), ("valid", .bool(entry.isValid(at: now)))]
        }, caller: caller, "listed \(secrets.count) secrets of client \(id)")
    }

    /// `DELETE /api/v1/clients/{id}/secrets/{secret_id}`: that secret stops at once.
    public func revokeSecret(_ id: String, secretID: String, caller: Caller) async throws(OAuthError) -> Answer {
        let client = try await admin("revoking the secret", field: "secret_id") { try await administration.revokeSecret(clientID: id, secretID: secretID) }
        return Self.answer(200, ManagementJSON.client(client), caller: caller, "revoked secret \(secretID) of client \(id)",
                           detail: ["target_client": id, "secret_id": secretID], changed: true)
    }

    /// `PUT /api/v1/clients/{id}/jwks`: new inline keys; the replaced ones verify `keep_old_for` seconds more.
    public func replaceJWKS(_ id: String, _ input: ManagementInput, ifMatch: String?, caller: Caller) async throws(OAuthError) -> Answer {
        try input.allowOnly(["jwks", "keep_old_for"])
        guard let jwks = try input.object("jwks") else { throw ManagementInput.problem(.apiFieldInvalid, "jwks", "field \"jwks\" is required") }
        let overlap = try input.integer("keep_old_for", in: 0...31_536_000).map(TimeInterval.init) ?? Administration.defaultSecretOverlap
        let client = try await conditionally("client \(id)", ifMatch: ifMatch) { () async throws(OAuthError) -> Client in
            try await checkCurrent(id, ifMatch: ifMatch)
            return try await admin("replacing the keys", field: "jwks") {
                try await administration.replaceJWKS(clientID: id, jwks: JSONValue.encodeObject(jwks), keepOldFor: overlap)
            }
        }
        return Self.answer(200, ManagementJSON.client(client), caller: caller, "replaced the keys of client \(id)",
                           detail: ["target_client": id, "keep_old_for": "\(Int(overlap))"], changed: true)
    }

    private func checkCurrent(_ id: String, ifMatch: String?) async throws(OAuthError) {
        let current = try await admin("reading the client") { try await administration.requireClient(id) }
        try Self.precondition(ifMatch, current: ManagementJSON.client(current), what: "client \(id)")
    }

    static func flow(_ input: ManagementInput) throws(OAuthError) -> Administration.ClientFlowSettings {
        Administration.ClientFlowSettings(grantTypes: try input.strings("grant_types"), redirectURIs: try input.strings("redirect_uris"),
                                          postLogoutRedirectURIs: try input.strings("post_logout_redirect_uris"), firstParty: try input.bool("first_party"))
    }
}
