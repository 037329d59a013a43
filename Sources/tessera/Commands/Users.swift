import ArgumentParser
import Foundation
import TesseraCore
import TesseraStore
import TesseraJSON

/// `tessera users …`: the people who sign in on Tessera's pages (deployment-wide).
struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Create and manage users (they sign in at every authorization server of the deployment).",
        subcommands: [Create.self, List.self, Show.self, Disable.self, Enable.self, SetPassword.self, Delete.self, Sessions.self, SignOut.self, Unlock.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user; with --password-stdin its password is the first line of standard input.")
        @Argument var username: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from the first line of standard input.") var passwordStdin = false
        @Option(help: "The user's email address.") var email: String?
        @Flag(name: .customLong("email-verified"), help: "Mark the email address as verified.") var emailVerified = false
        @Option(name: .customLong("name"), help: "The user's display name.") var displayName: String?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var signIn: SignInOptions
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            let password = passwordStdin ? try UserOutput.readPassword() : nil
            if let api = try remote.connection() {
                var body: [(String, JSONValue)] = [("username", .string(username))]
                if let password { body.append(("password", .string(password))) }
                if let email { body.append(("email", .string(email))) }
                if let displayName { body.append(("display_name", .string(displayName))) }
                var answer = try await api.call(.POST, "/api/v1/users", scope: .usersManage, body: body)
                if emailVerified {
                    answer = try await api.call(.PATCH, "/api/v1/users/\(RemoteAdmin.segment(username))", scope: .usersManage, body: [("email_verified", .bool(true))])
                }
                guard let (user, _) = ManagementJSON.decodeUser(answer) else { throw CommandFailure(message: "the server's answer was not a user") }
                UserOutput.print(user, groups: [], json: json)
                if password == nil && !json { Swift.print("(no password set: `tessera users set-password \(user.username)` sets one)") }
                return
            }
            let opened = try await data.open()
            var user = try await opened.administration.createUser(username: username, password: password, email: email, displayName: displayName,
                                                                  hasher: try signIn.hasher())
            if emailVerified { user = try await opened.administration.updateUser(user.id) { $0.emailVerified = true } }
            UserOutput.print(user, groups: [], json: json)
            if password == nil && !json { Swift.print("(no password set: `tessera users set-password \(user.username)` sets one)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users.")
        @Flag(help: "Print JSON lines.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            if let api = try remote.connection() {
                for item in RemoteAdmin.items(try await api.call(.GET, "/api/v1/users", scope: .usersRead), "users") {
                    if let (user, _) = ManagementJSON.decodeUser(item) { UserOutput.print(user, groups: nil, json: json) }
                }
                return
            }
            let opened = try await data.open()
            for user in try await opened.stores.users.listUsers() { UserOutput.print(user, groups: nil, json: json) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one user with its groups (never the password hash).")
        @Argument var username: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            if let api = try remote.connection() {
                guard let (user, groups) = ManagementJSON.decodeUser(try await api.call(.GET, "/api/v1/users/\(RemoteAdmin.segment(username))", scope: .usersRead)) else {
                    throw CommandFailure(message: "the server's answer was not a user")
                }
                UserOutput.print(user, groups: groups, json: json)
                return
            }
            let opened = try await data.open()
            let user = try await opened.administration.requireUser(username)
            UserOutput.print(user, groups: try await opened.stores.users.groups(ofUser: user.id), json: json)
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user: no sign-in, no new tokens from its refresh tokens.")
        @Argument var username: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            let user = try await UserOutput.change(username, [("disabled", .bool(true))], data: data, remote: remote) { $0.disabled = true }
            Console.done("user \(user) disabled", json: json, [("result", .string("disabled")), ("username", .string(user))])
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled user.")
        @Argument var username: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            let user = try await UserOutput.change(username, [("disabled", .bool(false))], data: data, remote: remote) { $0.disabled = false }
            Console.done("user \(user) enabled", json: json, [("result", .string("enabled")), ("username", .string(user))])
        }
    }

    struct SetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-password", abstract: "Set a user's password from the first line of standard input.")
        @Argument var username: String
        @Flag(name: .customLong("password-stdin"), help: "Accepted for symmetry with `users create`; the password is always read from standard input.")
        var passwordStdin = false
        @OptionGroup var signIn: SignInOptions
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            let password = try UserOutput.readPassword()
            if let api = try remote.connection() {
                _ = try await api.call(.PATCH, "/api/v1/users/\(RemoteAdmin.segment(username))", scope: .usersManage, body: [("password", .string(password))])
                Console.done("password of user \(username.lowercased()) set", json: json, [("result", .string("password_set")), ("username", .string(username.lowercased()))])
                return
            }
            let user = try await data.open().administration.setPassword(username, password: password, hasher: try signIn.hasher())
            Console.done("password of user \(user.username) set", json: json, [("result", .string("password_set")), ("username", .string(user.username))])
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user, ending its sessions and refresh tokens.")
        @Argument var username: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            if let api = try remote.connection() {
                _ = try await api.call(.DELETE, "/api/v1/users/\(RemoteAdmin.segment(username))", scope: .usersManage)
                Console.done("user \(username.lowercased()) deleted", json: json, [("result", .string("deleted")), ("username", .string(username.lowercased()))])
                return
            }
            let administration = try await data.open().administration
            let user = try await administration.requireUser(username)
            try await administration.deleteUser(user.id)
            Console.done("user \(user.username) deleted", json: json, [("result", .string("deleted")), ("username", .string(user.username))])
        }
    }

    struct Sessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a user's sign-in sessions that are still valid.")
        @Argument var username: String
        @Flag(help: "Print JSON lines.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            var sessions: [(sid: String, userID: String, authTime: Date, expiresAt: Date)] = []
            if let api = try remote.connection() {
                for item in RemoteAdmin.items(try await api.call(.GET, "/api/v1/users/\(RemoteAdmin.segment(username))/sessions", scope: .usersRead), "sessions") {
                    sessions.append((item["sid"]?.string ?? "", item["user_id"]?.string ?? "", Date(timeIntervalSince1970: item["auth_time"]?.number ?? 0),
                                     Date(timeIntervalSince1970: item["expires_at"]?.number ?? 0)))
                }
            } else {
                let administration = try await data.open().administration
                let user = try await administration.requireUser(username)
                sessions = try await administration.sessions(ofUser: user.id).map { ($0.jti, user.id, $0.issuedAt, $0.expiresAt) }
            }
            for session in sessions {
                if json {
                    Console.json(ManagementJSON.session(sid: session.sid, userID: session.userID, authTime: session.authTime, expiresAt: session.expiresAt))
                } else {
                    print("\(session.sid)  signed in \(ClientOutput.ago(session.authTime, Date())), expires in \(ClientOutput.span(session.expiresAt.timeIntervalSinceNow))")
                }
            }
        }
    }

    struct SignOut: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sign-out", abstract: "End a user's sessions and revoke its refresh tokens (and their access tokens).")
        @Argument var username: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            let ended: (sessions: Int, families: Int)
            if let api = try remote.connection() {
                let answer = try await api.call(.POST, "/api/v1/users/\(RemoteAdmin.segment(username))/sign-out", scope: .usersManage)
                ended = (Int(answer["sessions_ended"]?.number ?? 0), Int(answer["refresh_families_revoked"]?.number ?? 0))
            } else {
                let administration = try await data.open().administration
                ended = try await administration.signOut(try await administration.requireUser(username).id)
            }
            Console.done("user \(username.lowercased()) signed out: \(ended.sessions) session(s) ended, \(ended.families) refresh token famil\(ended.families == 1 ? "y" : "ies") revoked",
                         json: json, [("result", .string("signed_out")), ("username", .string(username.lowercased())),
                                      ("sessions_ended", .number(Double(ended.sessions))), ("refresh_families_revoked", .number(Double(ended.families)))])
        }
    }

    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End the lock failed sign-ins put on a user everywhere (address locks end with their window).")
        @Argument var username: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var data: DataOptions
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            if let api = try remote.connection() {
                _ = try await api.call(.DELETE, "/api/v1/users/\(RemoteAdmin.segment(username))/lockout", scope: .usersManage)
            } else {
                let opened = try await data.open()
                let user = try await opened.administration.requireUser(username)
                try await SignInThrottle(users: opened.stores.users).unlock(userID: user.id)
            }
            Console.done("user \(username.lowercased()) unlocked", json: json, [("result", .string("unlocked")), ("username", .string(username.lowercased()))])
        }
    }
}

enum UserOutput {
    /// Changes a user on the database (`change`) or through the API (`members`); returns the username.
    static func change(_ username: String, _ members: [(String, JSONValue)], data: DataOptions, remote: RemoteOptions,
                       _ change: (inout User) -> Void) async throws -> String {
        if let api = try remote.connection() {
            let answer = try await api.call(.PATCH, "/api/v1/users/\(RemoteAdmin.segment(username))", scope: .usersManage, body: members)
            return answer["username"]?.string ?? username
        }
        return try await data.open().administration.updateUser(username, change: change).username
    }

    /// The first line of standard input, without its line end.
    static func readPassword() throws -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw AdminError("no password on standard input (pipe it in: `printf '%s\\n' \"$PASSWORD\" | tessera users …`)")
        }
        return line
    }

    static func print(_ user: User, groups: [String]?, json: Bool) {
        if json {
            var members: [(String, JSONValue)] = [
                ("id", .string(user.id)), ("username", .string(user.username)), ("name", user.displayName.map(JSONValue.string) ?? .null),
                ("email", user.email.map(JSONValue.string) ?? .null), ("email_verified", .bool(user.emailVerified)), ("disabled", .bool(user.disabled)),
                ("has_password", .bool(user.passwordHash != nil)), ("created_at", .number(Double(user.createdAt.epochSeconds))),
            ]
            if let groups { members.append(("groups", .array(groups.map(JSONValue.string)))) }
            Console.json(members)
            return
        }
        var line = "\(user.id)  \(user.username)  \(user.disabled ? "disabled" : "enabled")"
        if let email = user.email { line += "  \(email)\(user.emailVerified ? " (verified)" : "")" }
        if let groups, !groups.isEmpty { line += "  groups: \(groups.joined(separator: " "))" }
        Swift.print(line)
    }
}
