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

        /// `+` create, `~` change, `-` delete.
        public var symbol: Character {
            switch self {
            case .createServer, .createScope, .createClient: "+"
            case .updateServer, .updateScope, .updateClient, .replaceJWKS: "~"
            case .deleteServer, .deleteScope, .deleteClient: "-"
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
                let create = server.settings.filter { ManagementAPI.serverCreateFields.contains($0.key) }
                steps.append(.createServer(name: server.name, body: create.merging(["name": .string(server.name)]) { own, _ in own },
                                           then: server.settings.filter { !ManagementAPI.serverCreateFields.contains($0.key) }))
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
        steps += pruneSteps
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
                var body = client.fields.filter { ManagementAPI.clientCreateFields.contains($0.key) }
                body["name"] = .string(client.name)
                if let id = client.id { body["client_id"] = .string(id) }
                if body["token_endpoint_auth_method"] == nil { body["token_endpoint_auth_method"] = .string("client_secret_basic") }
                steps.append(.createClient(server: server.name, name: client.name, body: body,
                                           then: client.fields.filter { !ManagementAPI.clientCreateFields.contains($0.key) }, secretFile: client.secretFile))
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
            let defaults = AuthorizationServer(name: "", audiences: [], accessTokenTTL: 0, claims: [:], createdAt: .distantPast).refreshLifetimes
            return .number(Double(key == "refresh_token_lifetime" ? defaults.absolute : defaults.idle))
        default:
            return value
        }
    }
}
