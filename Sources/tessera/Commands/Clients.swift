import ArgumentParser
import Foundation
import TesseraCore
import TesseraStore
import TesseraJSON

/// `tessera clients …`: register and manage clients.
struct Clients: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clients", abstract: "Register and manage clients.",
        subcommands: [Create.self, List.self, Show.self, Update.self, Disable.self, Enable.self, Delete.self, RotateSecret.self, Secrets.self, RevokeSecret.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a client; prints its id and, for secret methods, its secret (once).")
        @Option(help: "The authorization server.") var server: String
        @Option(help: "A name for people.") var name: String
        @Option(name: .customLong("auth-method"), help: "client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt or none.") var authMethod: String?
        @Flag(name: .customLong("public"), help: "A public client (single-page or native app): auth method none, PKCE is its only proof.") var isPublic = false
        @OptionGroup var flow: ClientFlowOptions
        @Option(name: .customLong("jwks-file"), help: "JWKS file with the client's public keys (private_key_jwt).") var jwksFile: String?
        @Option(name: .customLong("jwks-uri"), help: "URL of the client's JWKS (private_key_jwt).") var jwksURI: String?
        @Option(name: .customLong("scope"), help: "A scope the client may request (defined on the server). Repeatable.") var scopes: [String] = []
        @Option(name: .customLong("claim"), help: "KEY=VALUE added to this client's tokens. Repeatable.") var claims: [String] = []
        @Option(name: .customLong("introspects"), help: "A resource (server audience) this client serves: it may introspect tokens for it. Repeatable.") var introspects: [String] = []
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func validate() throws {
            if isPublic {
                guard authMethod == nil || authMethod == "none" else { throw ValidationError("--public means --auth-method none; give one of them") }
                return
            }
            guard let authMethod, ClientAuthMethod(rawValue: authMethod) != nil else {
                throw ValidationError("--auth-method must be one of \(ClientAuthMethod.allCases.map(\.rawValue).joined(separator: ", ")) (or give --public); got \"\(authMethod ?? "")\"")
            }
        }

        func run() async throws {
            let method = isPublic ? .none : (ClientAuthMethod(rawValue: authMethod ?? "") ?? .none)
            var jwks: String?
            if let jwksFile {
                guard let text = try? String(contentsOfFile: jwksFile, encoding: .utf8) else {
                    throw AdminError("cannot read JWKS file \(jwksFile)")
                }
                jwks = text
            }
            if let api = try remote.connection() {
                var body: [(String, JSONValue)] = [("name", .string(name)), ("token_endpoint_auth_method", .string(method.rawValue)),
                                                   ("scopes", .array(scopes.map(JSONValue.string))), ("claims", .object(try ClaimOption.parse(claims))),
                                                   ("introspects", .array(introspects.map(JSONValue.string)))]
                if let jwks { body.append(("jwks", .object(JSONValue.decodeObject(jwks)))) }
                if let jwksURI { body.append(("jwks_uri", .string(jwksURI))) }
                body += ClientOutput.flowMembers(flow.settings)
                let answer = try await api.call(.POST, "/api/v1/servers/\(RemoteAdmin.segment(server))/clients", scope: .clientsManage, body: body)
                guard let client = ManagementJSON.decodeClient(answer) else { throw CommandFailure(message: "the server's answer was not a client") }
                ClientOutput.printCreated(Administration.CreatedClient(client: client, secret: answer["client_secret"]?.string), json: json)
                return
            }
            let opened = try await data.open()
            let created = try await opened.administration.createClient(
                server: server, name: name, method: method, jwks: jwks, jwksURI: jwksURI, scopes: scopes, claims: try ClaimOption.parse(claims),
                introspects: introspects, flow: flow.settings)
            ClientOutput.printCreated(created, json: json)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the clients of a server.")
        @Option(help: "The authorization server.") var server: String
        @Flag(help: "Print JSON lines.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            if let api = try remote.connection() {
                let answer = try await api.call(.GET, "/api/v1/servers/\(RemoteAdmin.segment(server))/clients", scope: .clientsRead)
                for client in RemoteAdmin.items(answer, "clients").compactMap(ManagementJSON.decodeClient) { ClientOutput.print(client, json: json) }
                return
            }
            let opened = try await data.open()
            _ = try await opened.administration.requireServer(server)
            for client in try await opened.stores.clients.listClients(server: server) {
                ClientOutput.print(client, json: json)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one client (never its secret).")
        @Argument var id: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            let source = try await AdminSource.open(data: data, remote: remote)
            switch source {
            case .api(let api):
                guard let client = ManagementJSON.decodeClient(try await api.call(.GET, "/api/v1/clients/\(RemoteAdmin.segment(id))", scope: .clientsRead)) else {
                    throw CommandFailure(message: "the server's answer was not a client")
                }
                ClientOutput.print(client, json: json)
            case .database(let opened):
                ClientOutput.print(try await opened.administration.requireClient(id), json: json)
            }
            if !json {
                for line in ClientOutput.secretLines(try await Secrets.read(id, from: source), now: Date()) { print("  " + line) }
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a client's rate limit or replace its keys (private_key_jwt).")
        @Argument var id: String
        @Option(name: .customLong("rate-limit"), help: "The client's own limit on token, introspection and revocation, e.g. 50/s, 600/min, or none (its server's).")
        var rateLimit: String?
        @Option(name: .customLong("jwks-file"), help: "A JWKS file that replaces the client's inline public keys (private_key_jwt).") var jwksFile: String?
        @Option(name: .customLong("keep-old-for"), help: "With --jwks-file: how long the replaced keys keep working, e.g. 24h, 7d, or 0 (default 24h).")
        var keepOldFor: String?
        @OptionGroup var flow: ClientFlowOptions
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func validate() throws {
            guard rateLimit != nil || jwksFile != nil || !flow.settings.isEmpty else {
                throw ValidationError("give --rate-limit, --jwks-file, --grant-type, --redirect-uri, --post-logout-redirect-uri or --[no-]first-party")
            }
            if let rateLimit { _ = try RateLimitOption.parse(rateLimit, option: "--rate-limit") }
            if keepOldFor != nil, jwksFile == nil { throw ValidationError("--keep-old-for goes with --jwks-file") }
            _ = try OverlapOption.parse(keepOldFor)
        }

        func run() async throws {
            var jwks: String?
            if let jwksFile {
                guard let text = try? String(contentsOfFile: jwksFile, encoding: .utf8) else { throw AdminError("cannot read JWKS file \(jwksFile)") }
                jwks = text
            }
            if let api = try remote.connection() {
                let path = "/api/v1/clients/\(RemoteAdmin.segment(id))"
                var answer: [String: JSONValue] = [:]
                if let jwks {
                    answer = try await api.call(.PUT, path + "/jwks", scope: .clientsManage, body: [
                        ("jwks", .object(JSONValue.decodeObject(jwks))), ("keep_old_for", .number(try OverlapOption.parse(keepOldFor))),
                    ])
                }
                var change: [(String, JSONValue)] = ClientOutput.flowMembers(flow.settings)
                if let rateLimit {
                    change.append(("rate_limit", try RateLimitOption.parse(rateLimit, option: "--rate-limit").map { .string($0.description) } ?? .null))
                }
                if !change.isEmpty { answer = try await api.call(.PATCH, path, scope: .clientsManage, body: change) }
                guard let client = ManagementJSON.decodeClient(answer) else { throw CommandFailure(message: "the server's answer was not a client") }
                ClientOutput.print(client, json: json)
                return
            }
            let opened = try await data.open()
            var client = try await opened.administration.requireClient(id)
            if let text = jwks {
                client = try await opened.administration.replaceJWKS(clientID: id, jwks: text, keepOldFor: try OverlapOption.parse(keepOldFor))
            }
            if let rateLimit {
                client = try await opened.administration.setRateLimit(clientID: id, try RateLimitOption.parse(rateLimit, option: "--rate-limit"))
            }
            if !flow.settings.isEmpty { client = try await opened.administration.updateClientFlow(clientID: id, flow.settings) }
            ClientOutput.print(client, json: json)
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a client: it can no longer authenticate.")
        @Argument var id: String
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        @Flag(help: "Print JSON.") var json = false

        func run() async throws { try await Clients.setEnabled(false, id: id, json: json, data: data, remote: remote) }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled client.")
        @Argument var id: String
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        @Flag(help: "Print JSON.") var json = false

        func run() async throws { try await Clients.setEnabled(true, id: id, json: json, data: data, remote: remote) }
    }

    static func setEnabled(_ enabled: Bool, id: String, json: Bool, data: DataOptions, remote: RemoteOptions) async throws {
        if let api = try remote.connection() {
            _ = try await api.call(.PATCH, "/api/v1/clients/\(RemoteAdmin.segment(id))", scope: .clientsManage, body: [("enabled", .bool(enabled))])
        } else {
            _ = try await data.open().administration.setEnabled(clientID: id, enabled)
        }
        Console.done("client \(id) \(enabled ? "enabled" : "disabled")", json: json,
                     [("result", .string(enabled ? "enabled" : "disabled")), ("client_id", .string(id))])
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a client.")
        @Argument var id: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            if let api = try remote.connection() {
                _ = try await api.call(.DELETE, "/api/v1/clients/\(RemoteAdmin.segment(id))", scope: .clientsManage)
            } else {
                try await data.open().administration.deleteClient(id: id)
            }
            Console.done("client \(id) deleted", json: json, [("result", .string("deleted")), ("client_id", .string(id))])
        }
    }
}
