import ArgumentParser
import TesseraCore
import TesseraStore

/// `tessera scopes …`: the scopes a server defines.
struct Scopes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scopes", abstract: "Define and list the scopes of a server.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Define a scope on a server.")
        @Option(help: "The authorization server.") var server: String
        @Argument(help: "Scope name, e.g. orders.read.") var name: String
        @Option(help: "What the scope allows.") var description: String?
        @OptionGroup var data: DataOptions

        func run() async throws {
            let opened = try await data.open()
            do {
                let scope = try await opened.administration.createScope(server: server, name: name, description: description)
                print("\(scope.name) created on \(scope.server)")
            } catch StoreError.alreadyExists {
                throw AdminError("scope \(name) already exists on server \(server)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the scopes of a server.")
        @Option(help: "The authorization server.") var server: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            let opened = try await data.open()
            _ = try await opened.administration.requireServer(server)
            for scope in try await opened.stores.scopes.scopes(server: server) {
                print(scope.description.map { "\(scope.name)  \($0)" } ?? scope.name)
            }
        }
    }
}
