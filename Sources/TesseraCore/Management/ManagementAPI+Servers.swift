import TesseraJSON
import TesseraStore

/// `/api/v1/servers` and `/api/v1/servers/{name}/scopes`.
extension ManagementAPI {
    static let serverCreateFields = ["name", "audiences", "access_token_ttl", "claims", "token_format"]
    static let serverUpdateFields = ["audiences", "access_token_ttl", "claims", "token_format", "rate_limit", "max_assertion_lifetime",
                                     "key_rotation", "refresh_token_lifetime", "refresh_token_idle_lifetime", "groups_claim"]

    public func listServers(caller: Caller) async throws(OAuthError) -> Answer {
        let servers = try await admin("listing servers") { try await stores.servers.listServers() }
        return Self.list("servers", servers.map(ManagementJSON.server), caller: caller, "listed \(servers.count) servers")
    }

    public func server(_ name: String, caller: Caller) async throws(OAuthError) -> Answer {
        let server = try await admin("reading the server") { try await administration.requireServer(name) }
        return Self.answer(200, ManagementJSON.server(server), caller: caller, "read server \(name)", changed: false)
    }

    /// What `POST /api/v1/servers` asks for, read from its body (also `tessera apply`'s on the database).
    public struct ServerCreation: Sendable {
        public var name: String
        public var audiences: [String]
        public var accessTokenTTL: Int
        public var claims: [String: JSONValue]
        public var tokenFormat: TokenFormat
    }

    public static func serverCreation(_ input: ManagementInput) throws(OAuthError) -> ServerCreation {
        try input.allowOnly(Self.serverCreateFields)
        return ServerCreation(name: try input.string("name", required: true) ?? "", audiences: try input.strings("audiences") ?? [],
                              accessTokenTTL: try input.integer("access_token_ttl", in: 60...86_400) ?? 3600, claims: try input.object("claims") ?? [:],
                              tokenFormat: try input.choice("token_format", of: TokenFormat.self, allowed: ["jwt", "opaque"]) ?? .jwt)
    }

    public func createServer(_ input: ManagementInput, caller: Caller) async throws(OAuthError) -> Answer {
        let creation = try Self.serverCreation(input)
        let name = creation.name
        let server = try await admin("creating the server", field: "name") {
            try await administration.createServer(name: name, audiences: creation.audiences, accessTokenTTL: creation.accessTokenTTL,
                                                  claims: creation.claims, tokenFormat: creation.tokenFormat)
        }
        return Self.answer(201, ManagementJSON.server(server), location: "/api/v1/servers/\(name)", caller: caller,
                           "created server \(name)", detail: ["server": name], changed: true)
    }

    /// What `PATCH /api/v1/servers/{name}` asks to change, read from its body.
    public static func serverChange(_ input: ManagementInput) throws(OAuthError) -> Administration.ServerChange {
        try input.allowOnly(Self.serverUpdateFields)
        var change = Administration.ServerChange()
        change.audiences = try input.strings("audiences")
        change.accessTokenTTL = try input.integer("access_token_ttl", in: 60...86_400)
        change.claims = try input.object("claims")
        change.tokenFormat = try input.choice("token_format", of: TokenFormat.self, allowed: ["jwt", "opaque"])
        change.rateLimit = try input.rateLimit("rate_limit")
        change.maxAssertionLifetime = try input.nullableInteger("max_assertion_lifetime", in: 30...86_400)
        change.keyRotation = try input.nullableInteger("key_rotation", in: Administration.keyRotationRange)
        change.refreshTokenLifetime = try input.nullableInteger("refresh_token_lifetime", in: 300...31_536_000)
        change.refreshTokenIdleLifetime = try input.nullableInteger("refresh_token_idle_lifetime", in: 300...31_536_000)
        change.groupsClaim = try input.bool("groups_claim")
        return change
    }

    public func updateServer(_ name: String, _ input: ManagementInput, ifMatch: String?, caller: Caller) async throws(OAuthError) -> Answer {
        let change = try Self.serverChange(input)
        let server = try await conditionally("server \(name)", ifMatch: ifMatch) { () async throws(OAuthError) -> AuthorizationServer in
            let current = try await admin("reading the server") { try await administration.requireServer(name) }
            try Self.precondition(ifMatch, current: ManagementJSON.server(current), what: "server \(name)")
            return try await admin("updating the server") { try await administration.updateServer(name: name, change) }
        }
        return Self.answer(200, ManagementJSON.server(server), caller: caller, "updated server \(name)",
                           detail: Self.fields(input).merging(["server": name]) { own, _ in own }, changed: true)
    }

    public func deleteServer(_ name: String, caller: Caller) async throws(OAuthError) -> Answer {
        try await admin("deleting the server") { try await administration.deleteServer(name: name) }
        return Self.answer(204, nil, caller: caller, "deleted server \(name)", detail: ["server": name], changed: true)
    }

    public func listScopes(server name: String, caller: Caller) async throws(OAuthError) -> Answer {
        let scopes = try await admin("listing scopes") { () async throws -> [Scope] in
            _ = try await administration.requireServer(name)
            return try await stores.scopes.scopes(server: name)
        }
        return Self.list("scopes", scopes.map(ManagementJSON.scope), caller: caller, "listed \(scopes.count) scopes of server \(name)")
    }

    public func createScope(server name: String, _ input: ManagementInput, caller: Caller) async throws(OAuthError) -> Answer {
        try input.allowOnly(["name", "description"])
        let scopeName = try input.string("name", required: true) ?? ""
        let description = try input.string("description")
        let scope = try await admin("creating the scope", field: "name") {
            try await administration.createScope(server: name, name: scopeName, description: description)
        }
        return Self.answer(201, ManagementJSON.scope(scope), location: "/api/v1/servers/\(name)/scopes/\(scopeName)", caller: caller,
                           "created scope \(scopeName) on server \(name)", detail: ["server": name, "scope": scopeName], changed: true)
    }

    public func scope(server name: String, scope scopeName: String, caller: Caller) async throws(OAuthError) -> Answer {
        let scope = try await admin("reading the scope") { try await administration.requireScope(server: name, name: scopeName) }
        return Self.answer(200, ManagementJSON.scope(scope), caller: caller, "read scope \(scopeName) of server \(name)", changed: false)
    }

    public func updateScope(server name: String, scope scopeName: String, _ input: ManagementInput, caller: Caller) async throws(OAuthError) -> Answer {
        try input.allowOnly(["description"])
        guard input.has("description") else {
            throw ManagementInput.problem(.apiFieldInvalid, "description", "field \"description\" is required: a text, or null to remove it")
        }
        let description = try input.string("description", nullable: true)
        let scope = try await admin("updating the scope") {
            try await administration.updateScope(server: name, name: scopeName, description: description)
        }
        return Self.answer(200, ManagementJSON.scope(scope), caller: caller, "updated scope \(scopeName) on server \(name)",
                           detail: ["server": name, "scope": scopeName], changed: true)
    }

    public func deleteScope(server name: String, scope scopeName: String, caller: Caller) async throws(OAuthError) -> Answer {
        try await admin("deleting the scope") { try await administration.deleteScope(server: name, name: scopeName) }
        return Self.answer(204, nil, caller: caller, "deleted scope \(scopeName) of server \(name)", detail: ["server": name, "scope": scopeName], changed: true)
    }
}
