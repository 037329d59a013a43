import TesseraJSON
import TesseraStore

/// The changes that make a deployment match a `DeploymentDeclaration`, in an order that always works:
/// servers, then scopes, then clients (which may name the new scopes), and with `prune` the deletions
/// last (clients before the scopes they held, scopes and clients before their server). An empty plan
/// means the deployment already matches: a second `tessera apply` of the same file changes nothing.
public struct DeploymentPlan: Sendable {
    /// One change, in the management API's terms (`body` members are the API's fields).
    public enum Step: Sendable {
        /// `then`: settings a creation cannot take, written right after it (a PATCH).
        case createServer(name: String, body: [String: JSONValue], then: [String: JSONValue])
        case updateServer(name: String, changes: [String: JSONValue])
        case deleteServer(name: String)
        case createScope(server: String, name: String, description: JSONValue?)
        case updateScope(server: String, name: String, description: JSONValue)
        case deleteScope(server: String, name: String)
        case createClient(server: String, name: String, body: [String: JSONValue], then: [String: JSONValue], secretFile: String?)
        case updateClient(server: String, id: String, name: String, changes: [String: JSONValue])
        case replaceJWKS(server: String, id: String, name: String, jwks: JSONValue)
        case deleteClient(server: String, id: String, name: String)
        case createUser(username: String, body: [String: JSONValue], then: [String: JSONValue])
        case updateUser(username: String, changes: [String: JSONValue])
        case deleteUser(username: String)
        case createGroup(name: String)
        case deleteGroup(name: String)
        case addMember(group: String, username: String)
        case removeMember(group: String, username: String)

        /// `+` create, `~` change, `-` delete.
        public var symbol: Character {
            switch self {
            case .createServer, .createScope, .createClient, .createUser, .createGroup: "+"
            case .updateServer, .updateScope, .updateClient, .replaceJWKS, .updateUser, .addMember, .removeMember: "~"
            case .deleteServer, .deleteScope, .deleteClient, .deleteUser, .deleteGroup: "-"
            }
        }

        /// One line of the printed plan.
        public var summary: String {
            switch self {
            case .createServer(let name, _, _): "server \(name)"
            case .updateServer(let name, let changes): "server \(name): \(changes.keys.sorted().joined(separator: ", "))"
            case .deleteServer(let name): "server \(name) (with its scopes and signing keys)"
            case .createScope(let server, let name, _): "scope \(name) on \(server)"
            case .updateScope(let server, let name, _): "scope \(name) on \(server): description"
            case .deleteScope(let server, let name): "scope \(name) on \(server)"
            case .createClient(let server, let name, let body, _, _):
                "client \(name) on \(server) (\(body["token_endpoint_auth_method"]?.string ?? "client_secret_basic")\(body["client_id"]?.string.map { ", id \($0)" } ?? ""))"
            case .updateClient(let server, let id, let name, let changes): "client \(id) (\(name)) on \(server): \(changes.keys.sorted().joined(separator: ", "))"
            case .replaceJWKS(let server, let id, let name, _): "client \(id) (\(name)) on \(server): jwks (the old keys verify 24 h more)"
            case .deleteClient(let server, let id, let name): "client \(id) (\(name)) on \(server)"
            case .createUser(let username, let body, _): "user \(username)\(body["password"] == nil ? " (no password)" : "")"
            case .updateUser(let username, let changes): "user \(username): \(changes.keys.sorted().joined(separator: ", "))"
            case .deleteUser(let username): "user \(username) (ending its sessions and refresh tokens)"
            case .createGroup(let name), .deleteGroup(let name): "group \(name)"
            case .addMember(let group, let username): "group \(group): add \(username)"
            case .removeMember(let group, let username): "group \(group): remove \(username)"
            }
        }
    }

    public var steps: [Step]
    /// What `prune` left alone on purpose, one sentence each (the calling admin client, `system`).
    public var kept: [String]

    /// Compares `declared` with `current`. `prune` deletes what the file does not name; `protectedClients`
    /// are never deleted (the admin client making the calls). Refuses what no change can do (a client's
    /// authentication method or `jwks_uri`) before anything is applied.
    public init(declared: DeploymentDeclaration, current: DeploymentState, prune: Bool = false,
                protectedClients: Set<String> = []) throws(DeploymentFileError) {
        steps = []
        kept = []
        var clientSteps: [Step] = []
        var pruneSteps: [Step] = []
        for server in declared.servers {
            let existing = current.servers.first { $0.name == server.name }
            if let existing {
                let changes = Self.changes(server.settings, against: existing.representation)
                if !changes.isEmpty { steps.append(.updateServer(name: server.name, changes: changes)) }
            } else {
                let creation = server.creation
                steps.append(.createServer(name: server.name, body: creation.body, then: creation.then))
            }
            let scopes = existing?.scopes ?? []
            for scope in server.scopes {
                if let found = scopes.first(where: { $0["name"]?.string == scope.name }) {
                    if let description = scope.description, found["description"] != description {
                        steps.append(.updateScope(server: server.name, name: scope.name, description: description))
                    }
                } else {
                    steps.append(.createScope(server: server.name, name: scope.name, description: scope.description))
                }
            }
            let (forClients, unmatched) = try Self.clientSteps(server, existing: existing?.clients ?? [])
            clientSteps += forClients
            if prune {
                for client in unmatched {
                    let id = client["client_id"]?.string ?? ""
                    if protectedClients.contains(id) {
                        kept.append("client \(id) (\(client["name"]?.string ?? "")) on \(server.name): it is the admin client making these calls")
                    } else {
                        pruneSteps.append(.deleteClient(server: server.name, id: id, name: client["name"]?.string ?? ""))
                    }
                }
                for scope in scopes {
                    guard let name = scope["name"]?.string, !server.scopes.contains(where: { $0.name == name }) else { continue }
                    if server.name == SystemServer.name, name.hasPrefix(SystemServer.reservedScopePrefix) { continue }
                    pruneSteps.append(.deleteScope(server: server.name, name: name))
                }
            }
        }
        steps += clientSteps
        if prune {
            for server in current.servers where !declared.servers.contains(where: { $0.name == server.name }) {
                guard server.name != SystemServer.name else {
                    kept.append("server system: built in (name it in the file to manage its clients)")
                    continue
                }
                for client in server.clients {
                    pruneSteps.append(.deleteClient(server: server.name, id: client["client_id"]?.string ?? "", name: client["name"]?.string ?? ""))
                }
                pruneSteps.append(.deleteServer(name: server.name))
            }
        }
        steps += Self.userSteps(declared, current: current, prune: prune)
        steps += pruneSteps
        if prune, let groups = declared.groups {
            for group in current.groups ?? [] {
                guard let name = group["name"]?.string, !groups.contains(where: { $0.name == name }) else { continue }
                steps.append(.deleteGroup(name: name))
            }
        }
        if prune, let users = declared.users {
            for user in current.users ?? [] {
                guard let username = user["username"]?.string, !users.contains(where: { $0.username == username }) else { continue }
                steps.append(.deleteUser(username: username))
            }
        }
    }

    /// Users created or changed, groups created, members added and removed (a group's `members` is the
    /// whole membership).
    static func userSteps(_ declared: DeploymentDeclaration, current: DeploymentState, prune: Bool) -> [Step] {
        var steps: [Step] = []
        for user in declared.users ?? [] {
            if let existing = current.users?.first(where: { $0["username"]?.string == user.username }) {
                let changes = Self.changes(user.fields, against: existing)
                if !changes.isEmpty { steps.append(.updateUser(username: user.username, changes: changes)) }
            } else {
                var body: [String: JSONValue] = ["username": .string(user.username)]
                for key in ["email", "display_name"] { if let value = user.fields[key], value != .null { body[key] = value } }
                if let password = user.password { body["password"] = .string(password) }
                let then = user.fields.filter { ["email_verified", "disabled"].contains($0.key) && $0.value != .bool(false) }
                steps.append(.createUser(username: user.username, body: body, then: then))
            }
        }
        for group in declared.groups ?? [] {
            let existing = current.groups?.first { $0["name"]?.string == group.name }
            if existing == nil { steps.append(.createGroup(name: group.name)) }
            guard let members = group.members else { continue }
            let present = existing?["members"]?.strings ?? []
            for username in members where !present.contains(username) { steps.append(.addMember(group: group.name, username: username)) }
            for username in present where !members.contains(username) { steps.append(.removeMember(group: group.name, username: username)) }
        }
        return steps
    }

    /// The steps for a declared server's clients, and the existing clients the file does not name.
    static func clientSteps(_ server: DeploymentDeclaration.Server,
                            existing: [[String: JSONValue]]) throws(DeploymentFileError) -> ([Step], [[String: JSONValue]]) {
        var steps: [Step] = []
        var unmatched = existing
        for client in server.clients {
            let index: Int?
            if let id = client.id {
                index = unmatched.firstIndex { $0["client_id"]?.string == id }
            } else {
                let named = unmatched.indices.filter { unmatched[$0]["name"]?.string == client.name }
                guard named.count <= 1 else {
                    throw DeploymentFileError(path: client.path, "server \(quoted(server.name)) has \(named.count) clients named \(quoted(client.name)); "
                                              + "add client_id to say which one the file means")
                }
                index = named.first
            }
            guard let index else {
                let creation = client.creation
                steps.append(.createClient(server: server.name, name: client.name, body: creation.body, then: creation.then, secretFile: client.secretFile))
                continue
            }
            let current = unmatched.remove(at: index)
            let id = current["client_id"]?.string ?? ""
            for fixed in ["token_endpoint_auth_method", "jwks_uri"] {
                if let wanted = client.fields[fixed], wanted != current[fixed] {
                    throw DeploymentFileError(path: client.path, "client \(id) has \(fixed) \(JSONWriter.text(current[fixed] ?? .null)), the file says "
                                              + "\(JSONWriter.text(wanted)); it cannot change: delete the client (or drop its client_id) to register a new one")
                }
            }
            var wanted = client.fields.filter { ManagementAPI.clientUpdateFields.contains($0.key) }
            wanted["name"] = .string(client.name)
            let changes = Self.changes(wanted, against: current)
            if !changes.isEmpty { steps.append(.updateClient(server: server.name, id: id, name: client.name, changes: changes)) }
            if let jwks = client.fields["jwks"], jwks != current["jwks"] {
                steps.append(.replaceJWKS(server: server.name, id: id, name: client.name, jwks: jwks))
            }
        }
        return (steps, unmatched)
    }

    /// The declared settings whose values differ from the representation's.
    static func changes(_ declared: [String: JSONValue], against current: [String: JSONValue]) -> [String: JSONValue] {
        declared.filter { key, value in normalized(key, value) != current[key] }
    }

    /// A declared value as the representation shows it: a rate limit in its canonical spelling, a
    /// refresh lifetime of null as the default in force.
    static func normalized(_ key: String, _ value: JSONValue) -> JSONValue {
        switch (key, value) {
        case ("rate_limit", .string(let text)):
            return (try? RateLimit(parsing: text)).map { .string($0.description) } ?? value
        case ("refresh_token_lifetime", .null), ("refresh_token_idle_lifetime", .null):
            let defaults = AuthorizationServer.defaultRefreshLifetimes
            return .number(Double(key == "refresh_token_lifetime" ? defaults.absolute : defaults.idle))
        default:
            return value
        }
    }
}
