import ArgumentParser
import Foundation
import TesseraCore
import TesseraStore
import TesseraJSON

/// `tessera clients rotate-secret|secrets|revoke-secret`: a client's secrets through a rotation, on the
/// database or through the management API.
extension Clients {
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

        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            if let api = try remote.connection() {
                let answer = try await api.call(.POST, "/api/v1/clients/\(RemoteAdmin.segment(id))/secrets", scope: .clientsManage,
                                                body: [("keep_old_for", .number(try overlap()))])
                guard let client = ManagementJSON.decodeClient(answer) else { throw CommandFailure(message: "the server's answer was not a client") }
                ClientOutput.printCreated(Administration.CreatedClient(client: client, secret: answer["client_secret"]?.string), json: json)
                return
            }
            let opened = try await data.open()
            ClientOutput.printCreated(try await opened.administration.rotateSecret(clientID: id, keepOldFor: try overlap()), json: json)
        }
    }

    struct Secrets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a client's secrets (ids, times, last use; never the secrets).")
        @Argument var id: String
        @Flag(help: "Print JSON lines.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        /// The client's secrets with their last use, from the database or the API.
        static func read(_ id: String, from source: AdminSource) async throws -> [(entry: ClientSecretEntry, lastUsed: Date?)] {
            switch source {
            case .database(let opened):
                return try await opened.administration.secrets(clientID: id)
            case .api(let api):
                return RemoteAdmin.items(try await api.call(.GET, "/api/v1/clients/\(RemoteAdmin.segment(id))/secrets", scope: .clientsRead), "secrets")
                    .compactMap { item in
                        guard let secretID = item["id"]?.string else { return nil }
                        let entry = ClientSecretEntry(id: secretID, hash: Data(), createdAt: Date(timeIntervalSince1970: item["created_at"]?.number ?? 0),
                                                      expiresAt: item["expires_at"]?.number.map(Date.init(timeIntervalSince1970:)))
                        return (entry, item["last_used_at"]?.number.map(Date.init(timeIntervalSince1970:)))
                    }
            }
        }

        func run() async throws {
            let secrets = try await Self.read(id, from: try await AdminSource.open(data: data, remote: remote))
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
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            if let api = try remote.connection() {
                _ = try await api.call(.DELETE, "/api/v1/clients/\(RemoteAdmin.segment(id))/secrets/\(RemoteAdmin.segment(secretID))", scope: .clientsManage)
            } else {
                _ = try await data.open().administration.revokeSecret(clientID: id, secretID: secretID)
            }
            Console.done("secret \(secretID) of client \(id) revoked", json: json, [("result", .string("revoked")), ("client_id", .string(id)), ("secret_id", .string(secretID))])
        }
    }
}
