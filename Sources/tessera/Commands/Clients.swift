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
        @Option(name: .customLong("auth-method"), help: "client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt or none.") var authMethod: String
        @Option(name: .customLong("jwks-file"), help: "JWKS file with the client's public keys (private_key_jwt).") var jwksFile: String?
        @Option(name: .customLong("jwks-uri"), help: "URL of the client's JWKS (private_key_jwt).") var jwksURI: String?
        @Option(name: .customLong("scope"), help: "A scope the client may request (defined on the server). Repeatable.") var scopes: [String] = []
        @Option(name: .customLong("claim"), help: "KEY=VALUE added to this client's tokens. Repeatable.") var claims: [String] = []
        @Option(name: .customLong("introspects"), help: "A resource (server audience) this client serves: it may introspect tokens for it. Repeatable.") var introspects: [String] = []
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions

        func validate() throws {
            guard ClientAuthMethod(rawValue: authMethod) != nil else {
                throw ValidationError("--auth-method must be one of \(ClientAuthMethod.allCases.map(\.rawValue).joined(separator: ", ")); got \"\(authMethod)\"")
            }
        }

        func run() async throws {
            let method = ClientAuthMethod(rawValue: authMethod) ?? .none
            var jwks: String?
            if let jwksFile {
                guard let text = try? String(contentsOfFile: jwksFile, encoding: .utf8) else {
                    throw AdminError("cannot read JWKS file \(jwksFile)")
                }
                jwks = text
            }
            let opened = try await data.open()
            let created = try await opened.administration.createClient(
                server: server, name: name, method: method, jwks: jwks, jwksURI: jwksURI, scopes: scopes, claims: try ClaimOption.parse(claims),
                introspects: introspects)
            ClientOutput.printCreated(created, json: json)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the clients of a server.")
        @Option(help: "The authorization server.") var server: String
        @Flag(help: "Print JSON lines.") var json = false
        @OptionGroup var data: DataOptions

        func run() async throws {
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

        func run() async throws {
            let opened = try await data.open()
            ClientOutput.print(try await opened.administration.requireClient(id), json: json)
            if !json {
                for line in ClientOutput.secretLines(try await opened.administration.secrets(clientID: id), now: Date()) { print("  " + line) }
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
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions

        func validate() throws {
            guard rateLimit != nil || jwksFile != nil else { throw ValidationError("give --rate-limit or --jwks-file (or both)") }
            if let rateLimit { _ = try RateLimitOption.parse(rateLimit, option: "--rate-limit") }
            if keepOldFor != nil, jwksFile == nil { throw ValidationError("--keep-old-for goes with --jwks-file") }
            _ = try OverlapOption.parse(keepOldFor)
        }

        func run() async throws {
            let opened = try await data.open()
            var client = try await opened.administration.requireClient(id)
            if let jwksFile {
                guard let text = try? String(contentsOfFile: jwksFile, encoding: .utf8) else { throw AdminError("cannot read JWKS file \(jwksFile)") }
                client = try await opened.administration.replaceJWKS(clientID: id, jwks: text, keepOldFor: try OverlapOption.parse(keepOldFor))
            }
            if let rateLimit {
                client = try await opened.administration.setRateLimit(clientID: id, try RateLimitOption.parse(rateLimit, option: "--rate-limit"))
            }
            ClientOutput.print(client, json: json)
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a client: it can no longer authenticate.")
        @Argument var id: String
        @OptionGroup var data: DataOptions

        func run() async throws { try await Clients.setEnabled(false, id: id, data: data) }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled client.")
        @Argument var id: String
        @OptionGroup var data: DataOptions

        func run() async throws { try await Clients.setEnabled(true, id: id, data: data) }
    }

    static func setEnabled(_ enabled: Bool, id: String, data: DataOptions) async throws {
        let opened = try await data.open()
        _ = try await opened.administration.setEnabled(clientID: id, enabled)
        print("client \(id) \(enabled ? "enabled" : "disabled")")
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a client.")
        @Argument var id: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            let opened = try await data.open()
            _ = try await opened.administration.requireClient(id)
            try await opened.stores.clients.deleteClient(id: id)
            print("client \(id) deleted")
        }
    }

    struct RotateSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-secret", abstract: "Issue a new secret; the old ones keep working for --keep-old-for (default 24h), so services can move over.")
        @Argument var id: String
        @Option(name: .customLong("keep-old-for"), help: "How long the old secrets keep working, e.g. 24h, 7d, or 0 to end them at once (default 24h).")
        var keepOldFor: String?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions

        func validate() throws { _ = try overlap() }

        func overlap() throws -> TimeInterval { try OverlapOption.parse(keepOldFor) }

        func run() async throws {
            let opened = try await data.open()
            ClientOutput.printCreated(try await opened.administration.rotateSecret(clientID: id, keepOldFor: try overlap()), json: json)
        }
    }

    struct Secrets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a client's secrets (ids, times, last use; never the secrets).")
        @Argument var id: String
        @Flag(help: "Print JSON lines.") var json = false
        @OptionGroup var data: DataOptions

        func run() async throws {
            let opened = try await data.open()
            let secrets = try await opened.administration.secrets(clientID: id)
            guard json else {
                for line in ClientOutput.secretLines(secrets, now: Date()) { print(line) }
                return
            }
            for (entry, lastUsed) in secrets {
                Console.json([("secret_id", .string(entry.id)), ("created_at", .number(entry.createdAt.timeIntervalSince1970.rounded(.down))),
                              ("expires_at", entry.expiresAt.map { .number($0.timeIntervalSince1970.rounded(.down)) } ?? .null),
                              ("last_used_at", lastUsed.map { .number($0.timeIntervalSince1970.rounded(.down)) } ?? .null),
                              ("valid", .bool(entry.isValid(at: Date())))])
            }
        }
    }

    struct RevokeSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke-secret", abstract: "End one secret of a client at once.")
        @Argument var id: String
        @Argument(help: "The secret's id (`tessera clients secrets ID`).") var secretID: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            let opened = try await data.open()
            _ = try await opened.administration.revokeSecret(clientID: id, secretID: secretID)
            print("secret \(secretID) of client \(id) revoked")
        }
    }
}

/// `--keep-old-for`: 0 or a duration such as `24h` or `7d`; absent, the default overlap of 24 h.
enum OverlapOption {
    static func parse(_ text: String?) throws -> TimeInterval {
        guard let text else { return Administration.defaultSecretOverlap }
        if text == "0" { return 0 }
        guard let duration = DurationOption.parse(text) else {
            throw ValidationError("--keep-old-for must be 0 or a number with a unit s, m, h or d (e.g. 24h, 7d); got \(text.debugDescription)")
        }
        return TimeInterval(duration.components.seconds)
    }
}

enum ClientOutput {
    /// One line per secret: "sec_… current, created 2 d ago, last used 5 min ago" or
    /// "sec_… old, last used 3 h ago, expires in 21 h".
    static func secretLines(_ secrets: [(entry: ClientSecretEntry, lastUsed: Date?)], now: Date) -> [String] {
        secrets.enumerated().map { index, secret in
            let (entry, lastUsed) = secret
            let state = entry.isValid(at: now) ? (index == 0 ? "current" : "old") : "expired"
            var parts = ["\(entry.id) \(state)", "created \(Self.ago(entry.createdAt, now))"]
            parts.append(lastUsed.map { "last used \(Self.ago($0, now))" } ?? "never used")
            if let expires = entry.expiresAt {
                parts.append(expires > now ? "expires in \(Self.span(expires.timeIntervalSince(now)))" : "expired \(Self.ago(expires, now))")
            }
            return "secret " + parts.joined(separator: ", ")
        }
    }

    static func ago(_ time: Date, _ now: Date) -> String {
        let seconds = now.timeIntervalSince(time)
        return seconds < 60 ? "just now" : "\(span(seconds)) ago"
    }

    /// 45 s, 12 min, 3 h, 2 d.
    static func span(_ seconds: TimeInterval) -> String {
        switch seconds {
        case ..<60: return "\(Int(seconds)) s"
        case ..<3600: return "\(Int(seconds / 60)) min"
        case ..<172_800: return "\(Int(seconds / 3600)) h"
        default: return "\(Int(seconds / 86_400)) d"
        }
    }

    static func printCreated(_ created: Administration.CreatedClient, json: Bool) {
        let client = created.client
        if json {
            var members: [(String, JSONValue)] = [("client_id", .string(client.id))]
            if let secret = created.secret { members.append(("client_secret", .string(secret))) }
            members += [("server", .string(client.server)), ("token_endpoint_auth_method", .string(client.authMethod.rawValue))]
            Console.json(members)
            return
        }
        Swift.print("client_id:     \(client.id)")
        if let secret = created.secret {
            Swift.print("client_secret: \(secret)")
            Swift.print("(the secret is shown only now; store it safely)")
        }
        Swift.print("server:        \(client.server)")
        Swift.print("auth method:   \(client.authMethod.rawValue)")
    }

    static func print(_ client: Client, json: Bool) {
        if json {
            var members: [(String, JSONValue)] = [
                ("client_id", .string(client.id)), ("name", .string(client.name)), ("server", .string(client.server)),
                ("token_endpoint_auth_method", .string(client.authMethod.rawValue)), ("scopes", .array(client.scopes.map(JSONValue.string))),
                ("enabled", .bool(client.enabled)), ("claims", .object(client.claims)),
                ("rate_limit", client.rateLimit.map { .string($0.description) } ?? .null),
            ]
            if let uri = client.jwksURI { members.append(("jwks_uri", .string(uri))) }
            if !client.introspectableResources.isEmpty { members.append(("introspects", .array(client.introspectableResources.map(JSONValue.string)))) }
            Console.json(members)
            return
        }
        Swift.print("\(client.id)  \(client.name)  \(client.authMethod.rawValue)  \(client.enabled ? "enabled" : "disabled")  scopes: \(client.scopes.joined(separator: " "))\(client.rateLimit.map { "  rate limit: \($0)" } ?? "")")
    }
}
