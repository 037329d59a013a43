import Foundation
import TesseraCore
import TesseraJSON
import Yams

/// `tessera.yaml` to and from the JSON values the core works on. Reading resolves `${env:NAME}` in
/// texts and `jwks_file` (relative to the file) into `jwks`; writing keeps the keys in the order a
/// person expects (name first, scopes and clients last) and never writes a secret.
enum DeploymentYAML {
    /// The document, with references resolved. `directory` is the file's folder, for relative paths.
    static func read(_ text: String, directory: String, environment: [String: String]) throws -> JSONValue {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            let reason = "\(error)".split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            throw CommandFailure(message: "the file is not valid YAML: \(reason)", status: 2)
        }
        guard let node else { return .object([:]) }
        let document = try value(node, at: "", environment: environment)
        return try resolvingJWKSFiles(document, directory: directory)
    }

    static func value(_ node: Node, at path: String, environment: [String: String]) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            // The tag the resolver gave (a quoted "123" stays a text).
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return node.int.map { .number(Double($0)) } ?? .string(scalar.string)
            case Tag.Name.float.rawValue: return node.float.map(JSONValue.number) ?? .string(scalar.string)
            default: return .string(try substitute(scalar.string, at: path, environment: environment))
            }
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, item) in mapping {
                guard case .scalar(let name) = key else { throw fileError(path, "a key must be a plain text") }
                let itemPath = path.isEmpty ? name.string : "\(path).\(name.string)"
                guard object[name.string] == nil else { throw fileError(itemPath, "the key is given twice") }
                object[name.string] = try value(item, at: itemPath, environment: environment)
            }
            return .object(object)
        case .sequence(let sequence):
            return .array(try sequence.enumerated().map { index, item in try value(item, at: "\(path)[\(index)]", environment: environment) })
        case .alias:
            throw fileError(path, "YAML aliases (*name) are not supported; write the value out")
        }
    }

    /// Replaces each `${env:NAME}` with the variable's value; an unset variable is an error, not "".
    static func substitute(_ text: String, at path: String, environment: [String: String]) throws -> String {
        guard text.contains("${") else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { throw fileError(path, "a reference ${… is not closed with }") }
            let reference = rest[start.upperBound..<end]
            guard reference.hasPrefix("env:"), !reference.dropFirst(4).isEmpty else {
                throw fileError(path, "unknown reference ${\(reference)}; write ${env:NAME} for an environment variable")
            }
            let name = String(reference.dropFirst(4))
            guard let value = environment[name] else { throw fileError(path, "environment variable \(name) is not set (referenced as ${env:\(name)})") }
            result += value
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }

    /// `jwks_file: path` of each client becomes `jwks: {…}` read from that file.
    static func resolvingJWKSFiles(_ document: JSONValue, directory: String) throws -> JSONValue {
        guard case .object(var top) = document, case .array(var servers)? = top["servers"] else { return document }
        for serverIndex in servers.indices {
            guard case .object(var server) = servers[serverIndex], case .array(var clients)? = server["clients"] else { continue }
            for clientIndex in clients.indices {
                guard case .object(var client) = clients[clientIndex], let file = client["jwks_file"] else { continue }
                let path = "servers[\(serverIndex)].clients[\(clientIndex)]"
                guard let name = file.string else { throw fileError(path, "field \"jwks_file\" must be a file path") }
                guard client["jwks"] == nil, client["jwks_uri"] == nil else { throw fileError(path, "give one of jwks_file, jwks and jwks_uri") }
                let full = name.hasPrefix("/") ? name : (directory as NSString).appendingPathComponent(name)
                guard let bytes = FileManager.default.contents(atPath: full) else { throw fileError(path, "cannot read jwks_file \(full)") }
                guard let jwks = try? JSONReader.object(in: Array(bytes)) else { throw fileError(path, "jwks_file \(full) is not a JSON object {\"keys\": […]}") }
                client["jwks_file"] = nil
                client["jwks"] = .object(jwks)
                clients[clientIndex] = .object(client)
            }
            server["clients"] = .array(clients)
            servers[serverIndex] = .object(server)
        }
        top["servers"] = .array(servers)
        return .object(top)
    }

    static func fileError(_ path: String, _ message: String) -> CommandFailure {
        CommandFailure(message: DeploymentFileError(path: path.isEmpty ? "the file" : path, message).description, status: 2)
    }

    // MARK: Writing

    static let serverOrder = ["name", "audiences", "access_token_ttl", "token_format", "claims", "rate_limit", "max_assertion_lifetime",
                              "key_rotation", "refresh_token_lifetime", "refresh_token_idle_lifetime", "groups_claim"]
    static let clientOrder = ["client_id", "name", "token_endpoint_auth_method", "enabled", "scopes", "claims", "introspects", "rate_limit",
                              "jwks_uri", "jwks", "grant_types", "redirect_uris", "post_logout_redirect_uris", "first_party"]

    /// The deployment as a `tessera apply` file: every server, scope and client, no secrets and no keys.
    static func write(_ state: DeploymentState) throws -> String {
        let servers: [Node] = state.servers.map { server in
            var pairs = ordered(server.representation, serverOrder)
            pairs.append((Node("scopes"), Node(server.scopes.map { scope in
                Node(ordered(scope, ["name", "description"]).filter { $0.1 != Node("~", Tag(.null)) })
            })))
            pairs.append((Node("clients"), Node(server.clients.map { client in
                Node(ordered(client, clientOrder).filter { pair in
                    !(["jwks_uri", "jwks"].contains(pair.0.string ?? "") && pair.1 == Node("~", Tag(.null)))
                })
            })))
            return Node(pairs)
        }
        var top: [(Node, Node)] = [(Node("version"), Node("1", Tag(.int))), (Node("servers"), Node(servers))]
        if let users = state.users {
            top.append((Node("users"), Node(users.map { Node(ordered($0, ["username", "display_name", "email", "email_verified", "disabled"])) })))
        }
        if let groups = state.groups {
            top.append((Node("groups"), Node(groups.map { Node(ordered($0, ["name", "members"])) })))
        }
        let document = Node(top)
        return "# tessera apply -f this file (written by tessera export; no secrets, no passwords, no signing keys)\n" + (try Yams.serialize(node: document))
    }

    static func ordered(_ object: [String: JSONValue], _ keys: [String]) -> [(Node, Node)] {
        keys.compactMap { key in object[key].map { (Node(key), node($0)) } }
    }

    static func node(_ value: JSONValue) -> Node {
        switch value {
        case .null: return Node("~", Tag(.null))
        case .bool(let flag): return Node(flag ? "true" : "false", Tag(.bool))
        case .number(let number):
            if number == number.rounded(), abs(number) < 1e15 { return Node(String(Int64(number)), Tag(.int)) }
            return Node(String(number), Tag(.float))
        case .string(let text): return Node(text, Tag(.str), text.isEmpty || text.contains(":") || text.contains("#") ? .doubleQuoted : .any)
        case .array(let items): return Node(items.map(node))
        case .object(let object): return Node(object.keys.sorted().map { (Node($0), node(object[$0] ?? .null)) })
        }
    }
}
