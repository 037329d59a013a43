import TesseraJSON
import TesseraStore

/// What a deployment holds now, as the management API represents it: every server with its scopes and
/// clients. `tessera apply` compares a file against it and `tessera export` writes it out; it is read
/// from the database or through the API, and both give the same representations (`ManagementJSON`).
public struct DeploymentState: Sendable, Equatable {
    /// One server: its representation (`GET /api/v1/servers/{name}`), scopes and clients.
    public struct Server: Sendable, Equatable {
        public var representation: [String: JSONValue]
        public var scopes: [[String: JSONValue]]
        public var clients: [[String: JSONValue]]

        public init(representation: [String: JSONValue], scopes: [[String: JSONValue]], clients: [[String: JSONValue]]) {
            self.representation = representation
            self.scopes = scopes
            self.clients = clients
        }

        public var name: String { representation["name"]?.string ?? "" }
    }

    /// By name.
    public var servers: [Server]
    /// Users as `GET /api/v1/users` shows them, by username; nil when not read (an export without users).
    public var users: [[String: JSONValue]]?
    /// Groups as `{name, members}` with the members' usernames (the API shows user ids), by name.
    public var groups: [[String: JSONValue]]?

    public init(servers: [Server], users: [[String: JSONValue]]? = nil, groups: [[String: JSONValue]]? = nil) {
        self.servers = servers.sorted { $0.name < $1.name }
        self.users = users?.sorted { ($0["username"]?.string ?? "") < ($1["username"]?.string ?? "") }
        self.groups = groups.map { groups in
            let names = ManagementJSON.usernamesByID(users ?? [])
            return groups.map { group in
                var group = group
                group["members"] = .array((group["members"]?.strings ?? []).map { names[$0] ?? $0 }.sorted().map(JSONValue.string))
                return group
            }.sorted { ($0["name"]?.string ?? "") < ($1["name"]?.string ?? "") }
        }
    }

    /// The state of the stores, in the API's representations; `users` also reads users and groups.
    public static func read(from stores: Stores, users withUsers: Bool = true) async throws -> DeploymentState {
        var servers: [Server] = []
        for server in try await stores.servers.listServers() {
            let scopes = try await stores.scopes.scopes(server: server.name).map { Self.dictionary(ManagementJSON.scope($0)) }
            let clients = try await stores.clients.listClients(server: server.name).map { Self.dictionary(ManagementJSON.client($0)) }
            servers.append(Server(representation: Self.dictionary(ManagementJSON.server(server)), scopes: scopes, clients: clients))
        }
        guard withUsers else { return DeploymentState(servers: servers) }
        let groups = try await stores.users.listGroups()
        let users = try await stores.users.listUsers().map { user in
            Self.dictionary(ManagementJSON.user(user, groups: groups.filter { $0.members.contains(user.id) }.map(\.name)))
        }
        return DeploymentState(servers: servers, users: users, groups: groups.map { Self.dictionary(ManagementJSON.group($0)) })
    }

    static func dictionary(_ members: [(String, JSONValue)]) -> [String: JSONValue] {
        Dictionary(members, uniquingKeysWith: { first, _ in first })
    }
}
