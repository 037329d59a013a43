import ArgumentParser
import TesseraCore
import TesseraStore
import TesseraJSON

/// `tessera scopes …`: the scopes a server defines.
struct Scopes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scopes", abstract: "Define and list the scopes of a server.", subcommands: [Create.self, List.self, Update.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Define a scope on a server.")
        @Option(help: "The authorization server.") var server: String
        @Argument(help: "Scope name, e.g. orders.read.") var name: String
        @Option(help: "What the scope allows.") var description: String?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            if let api = try remote.connection() {
                var body: [(String, JSONValue)] = [("name", .string(name))]
                if let description { body.append(("description", .string(description))) }
                _ = try await api.call(.POST, "/api/v1/servers/\(RemoteAdmin.segment(server))/scopes", scope: .serversManage, body: body)
                Console.done("\(name) created on \(server)", json: json, ManagementJSON.scope(Scope(server: server, name: name, description: description)))
                return
            }
            let opened = try await data.open()
            do {
                let scope = try await opened.administration.createScope(server: server, name: name, description: description)
                Console.done("\(scope.name) created on \(scope.server)", json: json, ManagementJSON.scope(scope))
            } catch StoreError.alreadyExists {
                throw AdminError("scope \(name) already exists on server \(server)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the scopes of a server.")
        @Option(help: "The authorization server.") var server: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            let scopes: [Scope]
            if let api = try remote.connection() {
                let answer = try await api.call(.GET, "/api/v1/servers/\(RemoteAdmin.segment(server))/scopes", scope: .serversRead)
                scopes = RemoteAdmin.items(answer, "scopes").compactMap { item in
                    item["name"]?.string.map { Scope(server: server, name: $0, description: item["description"]?.string) }
                }
            } else {
                let opened = try await data.open()
                _ = try await opened.administration.requireServer(server)
                scopes = try await opened.stores.scopes.scopes(server: server)
            }
            for scope in scopes {
                Console.done(scope.description.map { "\(scope.name)  \($0)" } ?? scope.name, json: json, ManagementJSON.scope(scope))
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a scope's description.")
        @Option(help: "The authorization server.") var server: String
        @Argument(help: "Scope name.") var name: String
        @Option(help: "What the scope allows; an empty text removes the description.") var description: String

        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            let text: String? = description.isEmpty ? nil : description
            if let api = try remote.connection() {
                _ = try await api.call(.PATCH, "/api/v1/servers/\(RemoteAdmin.segment(server))/scopes/\(RemoteAdmin.segment(name))", scope: .serversManage,
                                       body: [("description", text.map(JSONValue.string) ?? .null)])
            } else {
                try await data.open().administration.updateScope(server: server, name: name, description: text)
            }
            Console.done("\(name) updated on \(server)", json: json, ManagementJSON.scope(Scope(server: server, name: name, description: text)))
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a scope that no client of its server holds.")
        @Option(help: "The authorization server.") var server: String
        @Argument(help: "Scope name.") var name: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            if let api = try remote.connection() {
                _ = try await api.call(.DELETE, "/api/v1/servers/\(RemoteAdmin.segment(server))/scopes/\(RemoteAdmin.segment(name))", scope: .serversManage)
            } else {
                try await data.open().administration.deleteScope(server: server, name: name)
            }
            Console.done("\(name) deleted from \(server)", json: json, [("result", .string("deleted")), ("server", .string(server)), ("scope", .string(name))])
        }
    }
}
