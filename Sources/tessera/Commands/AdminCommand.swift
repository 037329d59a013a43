import ArgumentParser
import Foundation
import TesseraCore

/// `tessera admin …`: what needs the database before any admin client exists.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "admin", abstract: "Set up access to the management API.",
                                                    subcommands: [Bootstrap.self])

    struct Bootstrap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the first admin client on the built-in server system (private_key_jwt, every tessera.* scope) and write its key pair.")
        @Option(help: "The admin client's name.") var name = "admin"
        @Option(name: .customLong("private-key"), help: "Where to write the private key (PEM, mode 0600).") var privateKey = "tessera-admin.key"
        @Option(help: "Where to write the public JWKS (default: the private key's path + .jwks.json).") var jwks: String?
        @Option(name: .customLong("public-url"), help: "The server's public URL, for the printed token command.") var publicURL = "http://127.0.0.1:8080"
        @Flag(help: "Add an admin client even though system has clients already (a lost key).") var force = false
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions

        func run() async throws {
            let jwksPath = jwks ?? privateKey + ".jwks.json"
            let files = FileManager.default
            for path in [privateKey, jwksPath] where files.fileExists(atPath: path) {
                throw AdminError("\(path) already exists; refusing to overwrite it (name other files with --private-key and --jwks)")
            }
            let pair = try ClientKeyPair.generate(.es256)
            let opened = try await data.open()
            let client = try await opened.administration.bootstrapAdminClient(name: name, jwks: pair.jwksDocument(), force: force)
            guard files.createFile(atPath: privateKey, contents: Data(pair.privateKeyPEM.utf8), attributes: [.posixPermissions: 0o600]),
                  files.createFile(atPath: jwksPath, contents: Data((pair.jwksDocument() + "\n").utf8)) else {
                throw CommandFailure(message: "created admin client \(client.id) but cannot write \(privateKey) or \(jwksPath); run with --force and other paths")
            }
            let issuer = publicURL.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/oauth2/\(SystemServer.name)"
            if json {
                Console.json([("client_id", .string(client.id)), ("server", .string(SystemServer.name)), ("private_key", .string(privateKey)),
                              ("jwks", .string(jwksPath)), ("issuer", .string(issuer)), ("scopes", .array(client.scopes.map { .string($0) }))])
                return
            }
            print("admin client: \(client.id) on server \(SystemServer.name) (private_key_jwt, ES256)")
            print("private key:  \(privateKey) (mode 0600; keep it safe, it is the key to the whole deployment)")
            print("public JWKS:  \(jwksPath)")
            print("get a management token:")
            print("  tessera token --issuer \(issuer) --client-id \(client.id) --private-key \(privateKey) \\")
            print("    --scope tessera.servers.manage --scope tessera.clients.manage")
            print("then call \(publicURL)/api/v1/servers with Authorization: Bearer <token>")
        }
    }
}
