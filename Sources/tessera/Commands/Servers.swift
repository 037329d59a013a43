import ArgumentParser
import Foundation
import TesseraCore
import TesseraStore
import TesseraJSON

/// `tessera servers …`: the authorization servers of the deployment.
struct Servers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "servers", abstract: "Create and inspect authorization servers.",
        subcommands: [Create.self, Update.self, List.self, Show.self, Delete.self, RotateKey.self, RetireKey.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an authorization server with its own issuer and ES256 key.")
        @Argument(help: "Name (the issuer is {public-url}/oauth2/NAME).") var name: String
        @Option(name: .customLong("audience"), help: "A resource (RFC 8707) tokens may be issued for; the first is the default. Repeatable.") var audiences: [String] = []
        @Option(name: .customLong("access-token-ttl"), help: "Access token lifetime in seconds (default 3600).") var accessTokenTTL: Int = 3600
        @Option(name: .customLong("claim"), help: "KEY=VALUE added to every token (VALUE is JSON when it parses as JSON). Repeatable.") var claims: [String] = []
        @Option(name: .customLong("token-format"), help: "jwt (default) or opaque.") var tokenFormat: String = "jwt"
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func validate() throws { _ = try TokenFormatOption.parse(tokenFormat) }

        func run() async throws {
            if let api = try remote.connection() {
                var body: [(String, JSONValue)] = [("name", .string(name)), ("access_token_ttl", .number(Double(accessTokenTTL))),
                                                   ("claims", .object(try ClaimOption.parse(claims))), ("token_format", .string(tokenFormat))]
                if !audiences.isEmpty { body.append(("audiences", .array(audiences.map(JSONValue.string)))) }
                let answer = try await api.call(.POST, "/api/v1/servers", scope: .serversManage, body: body)
                guard let server = ManagementJSON.decodeServer(answer) else { throw CommandFailure(message: "the server's answer was not a server") }
                ServerOutput.print(server, json: json)
                return
            }
            let opened = try await data.open()
            let server = try await opened.administration.createServer(name: name, audiences: audiences, accessTokenTTL: accessTokenTTL,
                                                                      claims: try ClaimOption.parse(claims), tokenFormat: try TokenFormatOption.parse(tokenFormat))
            ServerOutput.print(server, json: json)
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a server's audiences, token lifetime, claims, token format, limits or key rotation schedule.")
        @Argument var name: String
        @Option(name: .customLong("audience"), help: "Replaces the audiences (repeatable; first is the default).") var audiences: [String] = []
        @Option(name: .customLong("access-token-ttl"), help: "Access token lifetime in seconds.") var accessTokenTTL: Int?
        @Option(name: .customLong("claim"), help: "Replaces the custom claims: KEY=VALUE, repeatable.") var claims: [String] = []
        @Option(name: .customLong("token-format"), help: "jwt or opaque.") var tokenFormat: String?
        @Option(name: .customLong("rate-limit"), help: "Requests per client of this server that has no limit of its own, e.g. 50/s, 600/min, or none (the deployment's).")
        var rateLimit: String?
        @Option(name: .customLong("max-assertion-lifetime"),
                help: "The longest client assertion accepted (exp - iat), in seconds from 30 to 86400, or default (the deployment's, 3600).")
        var maxAssertionLifetime: String?
        @Option(name: .customLong("key-rotation"),
                help: "Rotate the signing key on a schedule, e.g. 90d (1h to 3650d; the new key is announced 5 minutes before it signs), or none.")
        var keyRotation: String?
        @Option(name: .customLong("refresh-token-lifetime"), help: "The longest a refresh token family lives from the sign-in, e.g. 30d (default 30d).")
        var refreshTokenLifetime: String?
        @Option(name: .customLong("refresh-token-idle-lifetime"), help: "How long an unused refresh token stays valid, e.g. 7d (default 7d).")
        var refreshTokenIdleLifetime: String?
        @Flag(name: .customLong("groups-claim"), inversion: .prefixedNo, help: "Put the user's groups into tokens and ID tokens as `groups`.")
        var groupsClaim: Bool?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        /// `default` (nil) or a duration such as `30d`, in seconds.
        static func refreshLifetime(_ text: String, option: String) throws -> Int? {
            if text == "default" { return nil }
            guard let duration = DurationOption.parse(text) else {
                throw ValidationError("\(option) must be a number with a unit s, m, h or d (e.g. 30d) or default; got \(text.debugDescription)")
            }
            return Int(duration.components.seconds)
        }

        func validate() throws {
            if let refreshTokenLifetime { _ = try Self.refreshLifetime(refreshTokenLifetime, option: "--refresh-token-lifetime") }
            if let refreshTokenIdleLifetime { _ = try Self.refreshLifetime(refreshTokenIdleLifetime, option: "--refresh-token-idle-lifetime") }
            if let tokenFormat { _ = try TokenFormatOption.parse(tokenFormat) }
            if let rateLimit { _ = try RateLimitOption.parse(rateLimit, option: "--rate-limit") }
            if let maxAssertionLifetime { _ = try Self.lifetime(maxAssertionLifetime) }
            if let keyRotation { _ = try Self.rotationInterval(keyRotation) }
        }

        /// `none` (nil: by hand only) or a duration such as `90d`, in seconds.
        static func rotationInterval(_ text: String) throws -> Int? {
            if text == "none" { return nil }
            guard let duration = DurationOption.parse(text) else {
                throw ValidationError("--key-rotation must be a number with a unit s, m, h or d (e.g. 90d) or none; got \(text.debugDescription)")
            }
            return Int(duration.components.seconds)
        }

        /// `default` (nil: the deployment's) or whole seconds.
        static func lifetime(_ text: String) throws -> Int? {
            if text == "default" { return nil }
            guard let seconds = Int(text) else {
                throw ValidationError("--max-assertion-lifetime must be whole seconds (e.g. 3600) or default; got \(text.debugDescription)")
            }
            return seconds
        }

        func change() throws -> Administration.ServerChange {
            var change = Administration.ServerChange()
            change.audiences = audiences.isEmpty ? nil : audiences
            change.accessTokenTTL = accessTokenTTL
            change.claims = claims.isEmpty ? nil : try ClaimOption.parse(claims)
            change.tokenFormat = try tokenFormat.map(TokenFormatOption.parse)
            change.rateLimit = try rateLimit.map { try RateLimitOption.parse($0, option: "--rate-limit") }
            change.maxAssertionLifetime = try maxAssertionLifetime.map(Self.lifetime)
            change.keyRotation = try keyRotation.map(Self.rotationInterval)
            change.refreshTokenLifetime = try refreshTokenLifetime.map { try Self.refreshLifetime($0, option: "--refresh-token-lifetime") }
            change.refreshTokenIdleLifetime = try refreshTokenIdleLifetime.map { try Self.refreshLifetime($0, option: "--refresh-token-idle-lifetime") }
            change.groupsClaim = groupsClaim
            return change
        }

        func run() async throws {
            let change = try change()
            if let api = try remote.connection() {
                let answer = try await api.call(.PATCH, "/api/v1/servers/\(RemoteAdmin.segment(name))", scope: .serversManage, body: ServerOutput.members(change))
                guard let server = ManagementJSON.decodeServer(answer) else { throw CommandFailure(message: "the server's answer was not a server") }
                ServerOutput.print(server, json: json)
                return
            }
            ServerOutput.print(try await data.open().administration.updateServer(name: name, change), json: json)
        }
    }

    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rotate-key", abstract: "Add a new signing key that signs at once (as `tessera keys rotate --now`); the old key retires once its tokens expired.")
        @Argument var name: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            let (kid, algorithm): (String, String)
            if let api = try remote.connection() {
                let answer = try await api.call(.POST, "/api/v1/servers/\(RemoteAdmin.segment(name))/keys", scope: .keysManage, body: [("publish_delay", .number(0))])
                (kid, algorithm) = (answer["kid"]?.string ?? "", answer["alg"]?.string ?? "")
            } else {
                let key = try await data.open().administration.rotateKey(server: name)
                (kid, algorithm) = (key.kid, key.algorithm)
            }
            Console.done("server \(name) now signs with key \(kid) (\(algorithm)); the previous key retires by itself once its tokens expired (`tessera keys rotate --server \(name)` announces a key before it signs)",
                         json: json, [("result", .string("rotated")), ("server", .string(name)), ("kid", .string(kid)), ("alg", .string(algorithm))])
        }
    }

    struct RetireKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "retire-key", abstract: "Remove an older key from the JWKS; tokens it signed stop verifying.")
        @Argument var name: String
        @Argument var kid: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            if let api = try remote.connection() {
                _ = try await api.call(.DELETE, "/api/v1/servers/\(RemoteAdmin.segment(name))/keys/\(RemoteAdmin.segment(kid))", scope: .keysManage)
            } else {
                try await data.open().administration.retireKey(server: name, kid: kid)
            }
            Console.done("key \(kid) of server \(name) retired", json: json, [("result", .string("retired")), ("server", .string(name)), ("kid", .string(kid))])
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List authorization servers.")
        @Flag(help: "Print JSON lines.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            if let api = try remote.connection() {
                let answer = try await api.call(.GET, "/api/v1/servers", scope: .serversRead)
                for server in RemoteAdmin.items(answer, "servers").compactMap(ManagementJSON.decodeServer) { ServerOutput.print(server, json: json) }
                return
            }
            let opened = try await data.open()
            for server in try await opened.stores.servers.listServers() {
                ServerOutput.print(server, json: json)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one authorization server.")
        @Argument var name: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            let source = try await AdminSource.open(data: data, remote: remote)
            let (server, keys) = try await Keys.read(server: name, from: source)
            ServerOutput.print(server, json: json)
            guard !json else { return }
            let scopes: [String]
            switch source {
            case .api(let api):
                scopes = RemoteAdmin.items(try await api.call(.GET, "/api/v1/servers/\(RemoteAdmin.segment(name))/scopes", scope: .serversRead), "scopes")
                    .compactMap { $0["name"]?.string }
            case .database(let opened):
                scopes = try await opened.stores.scopes.scopes(server: name).map(\.name)
            }
            print("  scopes:    \(scopes.joined(separator: " "))")
            print("  keys:      \(keys.filter { $0.state != .retired }.map { "\($0.key.kid) (\($0.key.algorithm), \($0.state.rawValue))" }.joined(separator: ", "))")
            if server.keyRotation != nil {
                let due = ScheduledKeyRotation.dueAt(server: server, keys: keys)
                print("  rotation:  " + (due.map { "every \(KeyRotationText.interval(server.keyRotation ?? 0)), next key announced at \(Keys.time($0))" } ?? "a new key is waiting to sign"))
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a server with its scopes and signing keys (its clients must be deleted first; never the built-in server system).")
        @Argument var name: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            if let api = try remote.connection() {
                _ = try await api.call(.DELETE, "/api/v1/servers/\(RemoteAdmin.segment(name))", scope: .serversManage)
            } else {
                try await data.open().administration.deleteServer(name: name)
            }
            Console.done("server \(name) deleted with its scopes and signing keys", json: json, [("result", .string("deleted")), ("server", .string(name))])
        }
    }
}

enum ServerOutput {
    /// A change as management API members: only what it sets; `null` where it removes a setting.
    static func members(_ change: Administration.ServerChange) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = []
        func optional(_ name: String, _ value: Int??) {
            if let value { members.append((name, value.map { .number(Double($0)) } ?? .null)) }
        }
        if let audiences = change.audiences { members.append(("audiences", .array(audiences.map(JSONValue.string)))) }
        if let ttl = change.accessTokenTTL { members.append(("access_token_ttl", .number(Double(ttl)))) }
        if let claims = change.claims { members.append(("claims", .object(claims))) }
        if let format = change.tokenFormat { members.append(("token_format", .string(format.rawValue))) }
        if let limit = change.rateLimit { members.append(("rate_limit", limit.map { .string($0.description) } ?? .null)) }
        optional("max_assertion_lifetime", change.maxAssertionLifetime)
        optional("key_rotation", change.keyRotation)
        optional("refresh_token_lifetime", change.refreshTokenLifetime)
        optional("refresh_token_idle_lifetime", change.refreshTokenIdleLifetime)
        if let groupsClaim = change.groupsClaim { members.append(("groups_claim", .bool(groupsClaim))) }
        return members
    }

    static func print(_ server: AuthorizationServer, json: Bool) {
        if json {
            Console.json(ManagementJSON.server(server))  // the management API's representation
        } else {
            Swift.print("\(server.name)  audiences: \(server.audiences.joined(separator: ", "))  ttl: \(server.accessTokenTTL)s  format: \(server.tokenFormat.rawValue)\(server.rateLimit.map { "  rate limit: \($0)" } ?? "")\(server.maxAssertionLifetime.map { "  max assertion lifetime: \($0)s" } ?? "")\(server.keyRotation.map { "  key rotation: every \(KeyRotationText.interval($0))" } ?? "")\(server.claims.isEmpty ? "" : "  claims: \(JSONValue.encodeObject(server.claims))")")
        }
    }
}

/// A rotation interval for people: `90d`, `12h`, `3600s`.
enum KeyRotationText {
    static func interval(_ seconds: Int) -> String {
        if seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        return "\(seconds)s"
    }
}

/// Parses repeated `--claim KEY=VALUE` options.
enum ClaimOption {
    static func parse(_ options: [String]) throws -> [String: JSONValue] {
        var claims: [String: JSONValue] = [:]
        for option in options {
            guard let equals = option.firstIndex(of: "="), equals != option.startIndex else {
                throw ValidationError("--claim must be KEY=VALUE; got \"\(option)\"")
            }
            claims[String(option[..<equals])] = JSONValue.parseOptionValue(String(option[option.index(after: equals)...]))
        }
        return claims
    }
}

/// Parses `--token-format`.
enum TokenFormatOption {
    static func parse(_ text: String) throws -> TokenFormat {
        guard let format = TokenFormat(rawValue: text) else {
            throw ValidationError("--token-format must be jwt or opaque; got \"\(text)\"")
        }
        return format
    }
}
