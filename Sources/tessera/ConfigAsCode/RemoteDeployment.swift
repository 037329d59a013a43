import NIOHTTP1
import TesseraCore
import TesseraJSON

/// `DeploymentAccess` through a running server's management API, with one `system` token for the
/// servers and clients scopes.
struct RemoteDeployment: DeploymentAccess {
    let api: RemoteAdmin
    var target: String { api.baseURL }
    var protectedClients: Set<String> { [api.clientID] }

    func state(users: Bool) async throws -> DeploymentState {
        var servers: [DeploymentState.Server] = []
        for server in RemoteAdmin.items(try await api.call(.GET, "/api/v1/servers", scope: .serversRead), "servers") {
            let name = RemoteAdmin.segment(server["name"]?.string ?? "")
            let scopes = RemoteAdmin.items(try await api.call(.GET, "/api/v1/servers/\(name)/scopes", scope: .serversRead), "scopes")
            let clients = RemoteAdmin.items(try await api.call(.GET, "/api/v1/servers/\(name)/clients", scope: .clientsRead), "clients")
            servers.append(DeploymentState.Server(representation: server, scopes: scopes, clients: clients))
        }
        guard users else { return DeploymentState(servers: servers) }
        return DeploymentState(servers: servers, users: RemoteAdmin.items(try await api.call(.GET, "/api/v1/users", scope: .usersRead), "users"),
                               groups: RemoteAdmin.items(try await api.call(.GET, "/api/v1/groups", scope: .usersRead), "groups"))
    }

    func perform(_ step: DeploymentPlan.Step) async throws -> StepOutcome {
        switch step {
        case .createServer(let name, let body, let then):
            _ = try await api.call(.POST, "/api/v1/servers", scope: .serversManage, body: Self.members(body))
            if !then.isEmpty { _ = try await api.call(.PATCH, "/api/v1/servers/\(RemoteAdmin.segment(name))", scope: .serversManage, body: Self.members(then)) }
        case .updateServer(let name, let changes):
            _ = try await api.call(.PATCH, "/api/v1/servers/\(RemoteAdmin.segment(name))", scope: .serversManage, body: Self.members(changes))
        case .deleteServer(let name):
            _ = try await api.call(.DELETE, "/api/v1/servers/\(RemoteAdmin.segment(name))", scope: .serversManage)
        case .createScope(let server, let name, let description):
            var body: [(String, JSONValue)] = [("name", .string(name))]
            if let description, description != .null { body.append(("description", description)) }
            _ = try await api.call(.POST, "/api/v1/servers/\(RemoteAdmin.segment(server))/scopes", scope: .serversManage, body: body)
        case .updateScope(let server, let name, let description):
            _ = try await api.call(.PATCH, Self.scopePath(server, name), scope: .serversManage, body: [("description", description)])
        case .deleteScope(let server, let name):
            _ = try await api.call(.DELETE, Self.scopePath(server, name), scope: .serversManage)
        case .createClient(let server, _, let body, let then, _):
            let created = try await api.call(.POST, "/api/v1/servers/\(RemoteAdmin.segment(server))/clients", scope: .clientsManage, body: Self.members(body))
            let id = created["client_id"]?.string ?? ""
            if !then.isEmpty { _ = try await api.call(.PATCH, "/api/v1/clients/\(RemoteAdmin.segment(id))", scope: .clientsManage, body: Self.members(then)) }
            return StepOutcome(done: "created client \(id) (\(created["name"]?.string ?? "")) on \(server) (\(created["token_endpoint_auth_method"]?.string ?? ""))",
                               clientID: id, secret: created["client_secret"]?.string)
        case .updateClient(_, let id, _, let changes):
            _ = try await api.call(.PATCH, "/api/v1/clients/\(RemoteAdmin.segment(id))", scope: .clientsManage, body: Self.members(changes))
        case .replaceJWKS(_, let id, _, let jwks):
            _ = try await api.call(.PUT, "/api/v1/clients/\(RemoteAdmin.segment(id))/jwks", scope: .clientsManage, body: [("jwks", jwks)])
        case .deleteClient(_, let id, _):
            _ = try await api.call(.DELETE, "/api/v1/clients/\(RemoteAdmin.segment(id))", scope: .clientsManage)
        case .createUser(let username, let body, let then):
            _ = try await api.call(.POST, "/api/v1/users", scope: .usersManage, body: Self.members(body))
            if !then.isEmpty { _ = try await api.call(.PATCH, "/api/v1/users/\(RemoteAdmin.segment(username))", scope: .usersManage, body: Self.members(then)) }
        case .updateUser(let username, let changes):
            _ = try await api.call(.PATCH, "/api/v1/users/\(RemoteAdmin.segment(username))", scope: .usersManage, body: Self.members(changes))
        case .deleteUser(let username):
            _ = try await api.call(.DELETE, "/api/v1/users/\(RemoteAdmin.segment(username))", scope: .usersManage)
        case .createGroup(let name):
            _ = try await api.call(.POST, "/api/v1/groups", scope: .usersManage, body: [("name", .string(name))])
        case .deleteGroup(let name):
            _ = try await api.call(.DELETE, "/api/v1/groups/\(RemoteAdmin.segment(name))", scope: .usersManage)
        case .addMember(let group, let username):
            _ = try await api.call(.PUT, "/api/v1/groups/\(RemoteAdmin.segment(group))/members/\(RemoteAdmin.segment(username))", scope: .usersManage)
        case .removeMember(let group, let username):
            _ = try await api.call(.DELETE, "/api/v1/groups/\(RemoteAdmin.segment(group))/members/\(RemoteAdmin.segment(username))", scope: .usersManage)
        }
        return StepOutcome(done: step.done)
    }

    static func scopePath(_ server: String, _ name: String) -> String {
        "/api/v1/servers/\(RemoteAdmin.segment(server))/scopes/\(RemoteAdmin.segment(name))"
    }

    static func members(_ object: [String: JSONValue]) -> [(String, JSONValue)] {
        object.keys.sorted().map { ($0, object[$0] ?? .null) }
    }
}
