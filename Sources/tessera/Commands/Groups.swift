import ArgumentParser
import TesseraCore
import TesseraStore
import TesseraJSON

/// `tessera groups …`: named sets of users, for the `groups` claim.
struct Groups: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups", abstract: "Create groups and manage their members.",
        subcommands: [Create.self, Delete.self, AddMember.self, RemoveMember.self, List.self])

    struct Create: AsyncParsableCommand {
        @Argument var name: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            if let api = try remote.connection() {
                _ = try await api.call(.POST, "/api/v1/groups", scope: .usersManage, body: [("name", .string(name))])
            } else {
                try await data.open().administration.createGroup(name: name)
            }
            Console.done("group \(name) created", json: json, [("result", .string("created")), ("group", .string(name))])
        }
    }

    struct Delete: AsyncParsableCommand {
        @Argument var name: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            if let api = try remote.connection() {
                _ = try await api.call(.DELETE, "/api/v1/groups/\(RemoteAdmin.segment(name))", scope: .usersManage)
            } else {
                try await data.open().administration.deleteGroup(name: name)
            }
            Console.done("group \(name) deleted", json: json, [("result", .string("deleted")), ("group", .string(name))])
        }
    }

    struct AddMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-member")
        @Argument var group: String
        @Argument var username: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            let member = try await Groups.setMember(group: group, user: username, member: true, data: data, remote: remote)
            Console.done("user \(member) added to group \(group)", json: json, [("result", .string("added")), ("group", .string(group)), ("username", .string(member))])
        }
    }

    struct RemoveMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove-member")
        @Argument var group: String
        @Argument var username: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            let member = try await Groups.setMember(group: group, user: username, member: false, data: data, remote: remote)
            Console.done("user \(member) removed from group \(group)", json: json, [("result", .string("removed")), ("group", .string(group)), ("username", .string(member))])
        }
    }

    struct List: AsyncParsableCommand {
        @Flag(help: "Print JSON lines.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        /// Groups and the usernames by user id, from the database or the API.
        func read() async throws -> (groups: [UserGroup], names: [String: String]) {
            switch try await AdminSource.open(data: data, remote: remote) {
            case .api(let api):
                let users = RemoteAdmin.items(try await api.call(.GET, "/api/v1/users", scope: .usersRead), "users")
                let groups = RemoteAdmin.items(try await api.call(.GET, "/api/v1/groups", scope: .usersRead), "groups").compactMap { item in
                    item["name"]?.string.map { UserGroup(name: $0, members: item["members"]?.strings ?? []) }
                }
                return (groups, ManagementJSON.usernamesByID(users))
            case .database(let opened):
                return (try await opened.stores.users.listGroups(), Dictionary(uniqueKeysWithValues: try await opened.stores.users.listUsers().map { ($0.id, $0.username) }))
            }
        }

        func run() async throws {
            let (groups, names) = try await read()
            for group in groups {
                let members = group.members.map { names[$0] ?? $0 }.sorted()
                if json {
                    Console.json([("name", .string(group.name)), ("members", .array(members.map(JSONValue.string)))])
                } else {
                    print("\(group.name)  members: \(members.joined(separator: " "))")
                }
            }
        }
    }

    /// Adds or removes a member, on the database or through the API; returns the username printed.
    static func setMember(group: String, user: String, member: Bool, data: DataOptions, remote: RemoteOptions) async throws -> String {
        guard let api = try remote.connection() else {
            return try await data.open().administration.setMember(group: group, user: user, member: member).username
        }
        _ = try await api.call(member ? .PUT : .DELETE, "/api/v1/groups/\(RemoteAdmin.segment(group))/members/\(RemoteAdmin.segment(user))", scope: .usersManage)
        return user.lowercased()
    }
}
