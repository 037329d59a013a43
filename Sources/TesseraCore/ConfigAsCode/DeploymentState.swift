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

    public init(servers: [Server]) { self.servers = servers.sorted { $0.name < $1.name } }

    /// The state of the stores, in the API's representations.
    public static func read(from stores: Stores) async throws -> DeploymentState {
        var servers: [Server] = []
        for server in try await stores.servers.listServers() {
            let scopes = try await stores.scopes.scopes(server: server.name).map { Self.dictionary(ManagementJSON.scope($0)) }
            let clients = try await stores.clients.listClients(server: server.name).map { Self.dictionary(ManagementJSON.client($0)) }
            servers.append(Server(representation: Self.dictionary(ManagementJSON.server(server)), scopes: scopes, clients: clients))
        }
        return DeploymentState(servers: servers)
    }

    static func dictionary(_ members: [(String, JSONValue)]) -> [String: JSONValue] {
        Dictionary(members, uniquingKeysWith: { first, _ in first })
    }
}
