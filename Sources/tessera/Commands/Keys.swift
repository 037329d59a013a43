import ArgumentParser
import Foundation
import TesseraCore
import TesseraJSON
import TesseraStore

/// `tessera keys …`: a server's signing keys and their rotation (next → current → previous → retired).
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "List, rotate and retire a server's signing keys.", subcommands: [List.self, Rotate.self, Retire.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A server's keys: state, alg, kid, created, activates and retires at.")
        @Option(help: "The authorization server.") var server: String
        @Flag(help: "Print JSON lines.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            let (record, keys) = try await Keys.read(server: server, from: try await AdminSource.open(data: data, remote: remote))
            for (key, state) in keys {
                if json {
                    Console.json([("kid", .string(key.kid)), ("state", .string(state.rawValue)), ("alg", .string(key.algorithm)),
                                  ("created_at", .number(key.createdAt.timeIntervalSince1970.rounded(.down))),
                                  ("activates_at", .number(key.activatesAt.timeIntervalSince1970.rounded(.down))),
                                  ("retires_at", key.retiresAt.map { .number($0.timeIntervalSince1970.rounded(.down)) } ?? .null)])
                } else {
                    let retires = key.retiresAt.map { "  retires \(Keys.time($0))" } ?? (key.active ? "" : "  retired by hand")
                    print("\(key.kid)  \(state.rawValue)  \(key.algorithm)  created \(Keys.time(key.createdAt))  activates \(Keys.time(key.activatesAt))\(retires)")
                }
            }
            if !json, let interval = record.keyRotation {
                let due = ScheduledKeyRotation.dueAt(server: record, keys: keys)
                print("scheduled rotation every \(KeyRotationText.interval(interval)): "
                      + (due.map { "the next key is announced at \(Keys.time($0))" } ?? "the next key is waiting to sign"))
            }
        }
    }

    /// A server and its keys with their states, from the database or the API.
    static func read(server: String, from source: AdminSource) async throws -> (AuthorizationServer, [(key: SigningKey, state: KeyState)]) {
        switch source {
        case .api(let api):
            let path = "/api/v1/servers/\(RemoteAdmin.segment(server))"
            guard let record = ManagementJSON.decodeServer(try await api.call(.GET, path, scope: .serversRead)) else {
                throw CommandFailure(message: "the server's answer was not a server")
            }
            let keys = RemoteAdmin.items(try await api.call(.GET, path + "/keys", scope: .keysRead), "keys").compactMap { ManagementJSON.decodeKey($0, server: server) }
            return (record, keys)
        case .database(let opened):
            return (try await opened.administration.requireServer(server), try await opened.administration.keys(server: server))
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a key that is published now and signs after the publish delay; the current key retires once its tokens expired.")
        @Option(help: "The authorization server.") var server: String
        @Option(name: .customLong("publish-delay"), help: "How long the new key is published before it signs, at least the JWKS max-age (default 300s).")
        var publishDelay: String?
        @Flag(help: "Sign with the new key at once (a key that must be replaced now; caches meet an unknown kid and refetch).") var now = false
        @Option(name: .customLong("alg"), help: "ES256 (default), ES384, RS256, PS256 or EdDSA.") var algorithm = "ES256"
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions

        func delay() throws -> TimeInterval {
            if now { return 0 }
            guard let publishDelay else { return Administration.defaultPublishDelay }
            guard let duration = DurationOption.parse(publishDelay), duration >= .seconds(Int64(Administration.defaultPublishDelay)) else {
                throw ValidationError("--publish-delay must be at least the JWKS max-age, 300s (e.g. 300s, 1h); got \(publishDelay.debugDescription); use --now for an immediate switch")
            }
            return TimeInterval(duration.components.seconds)
        }

        func validate() throws {
            _ = try delay()
            guard SigningKeyFactory.supportedAlgorithms.contains(algorithm) else {
                throw ValidationError("--alg must be one of \(SigningKeyFactory.supportedAlgorithms.joined(separator: ", ")); got \(algorithm.debugDescription)")
            }
        }

        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            let (kid, activatesAt): (String, Date)
            if let api = try remote.connection() {
                let answer = try await api.call(.POST, "/api/v1/servers/\(RemoteAdmin.segment(server))/keys", scope: .keysManage,
                                                body: [("alg", .string(algorithm)), ("publish_delay", .number(try delay()))])
                (kid, activatesAt) = (answer["kid"]?.string ?? "", Date(timeIntervalSince1970: answer["activates_at"]?.number ?? 0))
            } else {
                let key = try await data.open().administration.rotateKey(server: server, algorithm: algorithm, publishDelay: try delay())
                (kid, activatesAt) = (key.kid, key.activatesAt)
            }
            Console.done("key \(kid) (\(algorithm)) is published now and signs for server \(server) from \(Keys.time(activatesAt)); "
                         + "the current key retires by itself once its tokens expired (`tessera keys list --server \(server)`)",
                         json: json, [("result", .string("rotated")), ("server", .string(server)), ("kid", .string(kid)), ("alg", .string(algorithm)),
                                      ("activates_at", .number(Double(activatesAt.epochSeconds)))])
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a key from the JWKS now (never the current one); tokens it signed stop verifying.")
        @Option(help: "The authorization server.") var server: String
        @Argument var kid: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            if let api = try remote.connection() {
                _ = try await api.call(.DELETE, "/api/v1/servers/\(RemoteAdmin.segment(server))/keys/\(RemoteAdmin.segment(kid))", scope: .keysManage)
            } else {
                try await data.open().administration.retireKey(server: server, kid: kid)
            }
            Console.done("key \(kid) of server \(server) retired", json: json, [("result", .string("retired")), ("server", .string(server)), ("kid", .string(kid))])
        }
    }

    /// A time as UTC ISO 8601 (`2026-12-02T01:40:00Z`).
    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
