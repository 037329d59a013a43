import Foundation
import TesseraStore
import TesseraJSON

/// Changing a server or a client in one step: every setting of the change is checked on a copy, and
/// the record is written once, so a rejected change leaves nothing half-applied (the management API's
/// PATCH and `tessera apply` use these; the CLI's narrower updates build them too).
extension Administration {
    /// New values for a server's settings; nil leaves a setting as it is, `.some(nil)` removes an optional one.
    public struct ServerChange: Sendable {
        public var audiences: [String]?
        public var accessTokenTTL: Int?
        public var claims: [String: JSONValue]?
        public var tokenFormat: TokenFormat?
        public var rateLimit: RateLimit??
        public var maxAssertionLifetime: Int??
        public var keyRotation: Int??
        public var refreshTokenLifetime: Int??
        public var refreshTokenIdleLifetime: Int??
        public var groupsClaim: Bool?

        public init() {}
    }

    /// Applies `change` to the server and writes it once; takes effect on running nodes within a second.
    @discardableResult
    public func updateServer(name: String, _ change: ServerChange) async throws -> AuthorizationServer {
        var server = try await requireServer(name)
        if let keyRotation = change.keyRotation {
            if let seconds = keyRotation, !Self.keyRotationRange.contains(seconds) {
                throw AdminError("the key rotation interval must be between 1 hour and 3650 days (3600 to 315360000 seconds); got \(seconds) seconds",
                                 field: "key_rotation")
            }
            server.keyRotation = keyRotation
        }
        if let rateLimit = change.rateLimit { server.rateLimit = rateLimit }
        if let maxAssertionLifetime = change.maxAssertionLifetime {
            if let seconds = maxAssertionLifetime, !(30...86_400).contains(seconds) {
                throw AdminError("the maximum assertion lifetime must be between 30 and 86400 seconds; got \(seconds)", field: "max_assertion_lifetime")
            }
            server.maxAssertionLifetime = maxAssertionLifetime
        }
        if let audiences = change.audiences {
            guard !audiences.isEmpty else { throw AdminError("a server needs at least one audience", field: "audiences") }
            guard name != SystemServer.name || audiences == [SystemServer.audience] else {
                throw AdminError.conflict("the audience of the built-in server system is fixed (\(SystemServer.audience))")
            }
            server.audiences = Self.unique(audiences)
        }
        if let accessTokenTTL = change.accessTokenTTL { server.accessTokenTTL = accessTokenTTL }
        if let claims = change.claims { server.claims = claims }
        if let tokenFormat = change.tokenFormat { server.tokenFormat = tokenFormat }
        if let lifetime = change.refreshTokenLifetime { server.refreshTokenLifetime = lifetime }
        if let lifetime = change.refreshTokenIdleLifetime { server.refreshTokenIdleLifetime = lifetime }
        if let groupsClaim = change.groupsClaim { server.groupsClaim = groupsClaim }
        try Self.checkServerSettings(audiences: server.audiences, accessTokenTTL: server.accessTokenTTL, claims: server.claims)
        let (absolute, idle) = server.refreshLifetimes
        guard (300...31_536_000).contains(absolute), (300...31_536_000).contains(idle) else {
            throw AdminError("refresh token lifetimes must be between 5 minutes and 365 days; got \(absolute) s absolute, \(idle) s idle",
                             field: "refresh_token_lifetime")
        }
        guard idle <= absolute else {
            throw AdminError("the idle lifetime (\(idle) s) cannot be longer than the absolute lifetime (\(absolute) s)", field: "refresh_token_idle_lifetime")
        }
        try await stores.servers.updateServer(server)
        return server
    }

    /// New values for a client's settings; nil leaves a setting as it is. The method, server and id
    /// never change (delete and create instead); keys and secrets rotate through their own operations.
    public struct ClientChange: Sendable {
        public var name: String?
        public var enabled: Bool?
        public var scopes: [String]?
        public var claims: [String: JSONValue]?
        public var introspects: [String]?
        public var rateLimit: RateLimit??
        public var flow = ClientFlowSettings()

        public init() {}
    }

    /// Applies `change` to the client and writes it once.
    @discardableResult
    public func updateClient(id: String, _ change: ClientChange) async throws -> Client {
        var client = try await requireClient(id)
        let server = try await requireServer(client.server)
        if let name = change.name {
            guard !name.isEmpty, name.count <= 200 else { throw AdminError("a client name must have 1 to 200 characters", field: "name") }
            client.name = name
        }
        if let enabled = change.enabled { client.enabled = enabled }
        if let scopes = change.scopes {
            try await checkScopes(scopes, server: server.name)
            client.scopes = Self.unique(scopes)
        }
        if let claims = change.claims {
            try Self.checkCustomClaims(claims)
            client.claims = claims
        }
        if let introspects = change.introspects {
            try Self.checkIntrospects(introspects, server: server)
            client.introspectableResources = Self.unique(introspects)
        }
        if let rateLimit = change.rateLimit { client.rateLimit = rateLimit }
        try apply(change.flow, to: &client, creating: false)
        try await stores.clients.updateClient(client)
        return client
    }

    /// Deletes a client (its tokens stop verifying once they are introspected: the client is unknown).
    public func deleteClient(id: String) async throws {
        _ = try await requireClient(id)
        try await stores.clients.deleteClient(id: id)
    }

    func checkScopes(_ scopes: [String], server: String) async throws {
        let defined = Set(try await stores.scopes.scopes(server: server).map(\.name))
        for scope in scopes where !defined.contains(scope) {
            throw AdminError("scope \(quoted(scope)) is not defined on server \(quoted(server)); create it with `tessera scopes create --server \(server) \(scope)`",
                             field: "scopes")
        }
    }

    static func checkIntrospects(_ resources: [String], server: AuthorizationServer) throws {
        for resource in resources where !server.audiences.contains(resource) {
            throw AdminError("--introspects \(quoted(resource)) is not an audience of server \(quoted(server.name)); its audiences are [\(server.audiences.joined(separator: ", "))]",
                             field: "introspects")
        }
    }
}
