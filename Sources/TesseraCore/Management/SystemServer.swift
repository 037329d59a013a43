import TesseraStore

/// The built-in authorization server `system`: its access tokens, with the `tessera.*` scopes, are what
/// the management API accepts (Okta's org authorization server pattern). Created on first start beside
/// `default`; it cannot be deleted, and its scopes cannot be defined on any other server.
public enum SystemServer {
    public static let name = "system"
    /// The audience of `system` tokens: they are good for the management API and nothing else.
    public static let audience = "urn:tessera:management-api"
    /// The prefix only `system`'s own scopes may carry.
    public static let reservedScopePrefix = "tessera."

    /// The management scopes: `read` lets a client look, `manage` lets it change (and look).
    public enum Scope: String, Sendable, CaseIterable {
        case serversRead = "tessera.servers.read"
        case serversManage = "tessera.servers.manage"
        case clientsRead = "tessera.clients.read"
        case clientsManage = "tessera.clients.manage"
        case keysRead = "tessera.keys.read"
        case keysManage = "tessera.keys.manage"
        case usersRead = "tessera.users.read"
        case usersManage = "tessera.users.manage"
        case eventsRead = "tessera.events.read"

        public var explanation: String {
            switch self {
            case .serversRead: return "Read authorization servers and their scopes"
            case .serversManage: return "Create and change authorization servers and their scopes"
            case .clientsRead: return "Read clients (never their secrets)"
            case .clientsManage: return "Create, change, disable and delete clients; rotate their secrets and keys"
            case .keysRead: return "Read the signing keys of authorization servers (public parts)"
            case .keysManage: return "Rotate and retire signing keys"
            case .usersRead: return "Read users and groups"
            case .usersManage: return "Create, change and delete users and groups"
            case .eventsRead: return "Read the event log"
            }
        }

        /// The `manage` scope also allows what its `read` scope allows.
        public func isSatisfied(by granted: [String]) -> Bool {
            if granted.contains(rawValue) { return true }
            guard rawValue.hasSuffix(".read") else { return false }
            return granted.contains(String(rawValue.dropLast(".read".count)) + ".manage")
        }
    }
}

extension Administration {
    /// Creates the `system` server with its scopes if it is missing, and defines any of its scopes a
    /// newer version added. Returns whether the server was created.
    @discardableResult
    public func bootstrapSystemServer() async throws -> Bool {
        var created = false
        if try await stores.servers.server(named: SystemServer.name) == nil {
            created = try await ignoringRace { try await createServer(name: SystemServer.name, audiences: [SystemServer.audience], accessTokenTTL: 900) }
        }
        let defined = Set(try await stores.scopes.scopes(server: SystemServer.name).map(\.name))
        for scope in SystemServer.Scope.allCases where !defined.contains(scope.rawValue) {
            let record = Scope(server: SystemServer.name, name: scope.rawValue, description: scope.explanation)
            _ = try await ignoringRace { try await stores.scopes.createScope(record) }
        }
        return created
    }

    /// Runs a create that another node may have done first; returns false when it had.
    private func ignoringRace(_ create: () async throws -> Void) async throws -> Bool {
        do {
            try await create()
            return true
        } catch let error as StoreError {
            guard case .alreadyExists = error else { throw error }
            return false
        }
    }
}

extension Administration {
    /// `tessera admin bootstrap`: the first admin client on `system`, a private_key_jwt client with
    /// every management scope and `jwks` as its key. Refused once `system` has a client, unless `force`
    /// (a lost key: the earlier admin clients stay; disable them afterwards).
    public func bootstrapAdminClient(name: String, jwks: String, force: Bool) async throws -> Client {
        try await bootstrapSystemServer()
        let existing = try await stores.clients.listClients(server: SystemServer.name)
        if let first = existing.first, !force {
            throw AdminError.conflict("the server system already has \(existing.count) client(s) (\(first.id) first); an admin creates more through the API, "
                                      + "or run `tessera admin bootstrap --force` to add one anyway")
        }
        return try await createClient(server: SystemServer.name, name: name, method: .privateKeyJWT, jwks: jwks,
                                      scopes: SystemServer.Scope.allCases.map(\.rawValue)).client
    }
}
