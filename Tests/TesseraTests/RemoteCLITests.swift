import Foundation
import Testing
import TesseraCore
import TesseraStore

/// The admin CLI against a running server's management API (`--server-url`, `--client-id`,
/// `--private-key`): the real binary, a real socket, an admin client of `system`; the output is the
/// same as on the database, refusals are one line with the problem's reason and request id.
@Suite struct RemoteCLITests {
    @Test func clientsAndScopesAreManagedRemotelyWithTheSameOutputAsOnTheDatabase() async throws {
        try await LiveServer.with { deployment, base in
            let admin = try await RemoteAdminClient.bootstrap(deployment, base: base, name: "cli")
            let remote = admin.arguments
            let local = ["--data-dir", deployment.directory.path]

            let scope = try await CLIProcess.running(["scopes", "create", "--server", "default", "inventory.read", "--description", "read stock"] + remote)
            #expect(scope.status == 0, "\(scope.stderr)")
            #expect(scope.stdout == "inventory.read created on default\n")
            let created = try await CLIProcess.running(["clients", "create", "--server", "default", "--name", "stock", "--auth-method", "client_secret_basic",
                                              "--scope", "inventory.read", "--json"] + remote)
            #expect(created.status == 0, "\(created.stderr)")
            let json = CLIProcess.json(created.stdout)
            let id = try #require(json["client_id"] as? String)
            #expect((json["client_secret"] as? String)?.isEmpty == false)
            #expect(try await deployment.stores.clients.client(id: id)?.scopes == ["inventory.read"])

            for command in [["clients", "list", "--server", "default"], ["clients", "list", "--server", "default", "--json"],
                            ["scopes", "list", "--server", "default"], ["servers", "list"], ["servers", "list", "--json"]] {
                let viaAPI = try await CLIProcess.running(command + remote)
                let onDatabase = try await CLIProcess.running(command + local)
                #expect(viaAPI.status == 0 && onDatabase.status == 0, "\(viaAPI.stderr)\(onDatabase.stderr)")
                #expect(viaAPI.stdout == onDatabase.stdout, "\(command.joined(separator: " ")) differs between the modes")
            }

            let limited = try await CLIProcess.running(["clients", "update", id, "--rate-limit", "10/s"] + remote)
            #expect(limited.status == 0, "\(limited.stderr)")
            #expect(limited.stdout == (try await CLIProcess.running(["clients", "list", "--server", "default"] + local)).stdout.split(separator: "\n").first { $0.hasPrefix(id) }.map { $0 + "\n" })
            #expect(try await deployment.stores.clients.client(id: id)?.rateLimit?.description == "10/s")
            let overlapping = try await CLIProcess.running(["clients", "rotate-secret", id, "--keep-old-for", "1h"] + remote)
            #expect(overlapping.status == 0, "\(overlapping.stderr)")
            let old = try #require(try await deployment.stores.clients.client(id: id)?.secrets.last?.id)
            #expect(try await CLIProcess.running(["clients", "revoke-secret", id, old] + remote).stdout == "secret \(old) of client \(id) revoked\n")
            #expect(try await deployment.stores.clients.client(id: id)?.secrets.map(\.id).contains(old) == false)

            _ = try await deployment.admin.createUser(username: "ada", password: nil, email: nil, displayName: nil, hasher: deployment.runtime.passwords)
            #expect(try await CLIProcess.running(["groups", "create", "staff"] + remote).stdout == "group staff created\n")
            #expect(try await CLIProcess.running(["groups", "add-member", "staff", "ada"] + remote).stdout == "user ada added to group staff\n")
            #expect(try await deployment.stores.users.listGroups().first { $0.name == "staff" }?.members.count == 1)
            #expect(try await CLIProcess.running(["groups", "remove-member", "staff", "ada"] + remote).status == 0)
            #expect(try await CLIProcess.running(["groups", "delete", "staff"] + remote).stdout == "group staff deleted\n")
            #expect(try await deployment.stores.users.listGroups().isEmpty)

            #expect(try await CLIProcess.running(["clients", "disable", id] + remote).stdout == "client \(id) disabled\n")
            #expect(try await deployment.stores.clients.client(id: id)?.enabled == false)
            let rotated = try await CLIProcess.running(["clients", "rotate-secret", id, "--keep-old-for", "0", "--json"] + remote)
            #expect(rotated.status == 0, "\(rotated.stderr)")
            #expect(try await deployment.stores.clients.client(id: id)?.secrets.count == 1)
            #expect(try await CLIProcess.running(["clients", "delete", id] + remote).status == 0)
            #expect(try await deployment.stores.clients.client(id: id) == nil)

            let refused = try await CLIProcess.running(["clients", "create", "--server", "default", "--name", "x", "--auth-method", "client_secret_basic",
                                              "--scope", "undefined.scope"] + remote)
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("scope \"undefined.scope\" is not defined on server \"default\""))
            #expect(refused.stderr.contains("HTTP 400, api.field_invalid, request id "))
            #expect(refused.stderr.split(separator: "\n").count == 1)
            let missing = try await CLIProcess.running(["clients", "list", "--server", "default", "--server-url", base])
            #expect(missing.status != 0)
            #expect(missing.stderr.contains("--server-url needs the admin client"))
            let server = try await CLIProcess.running(["servers", "create", "orders", "--audience", "https://orders.example.com", "--access-token-ttl", "600", "--json"] + remote)
            #expect(server.status == 0, "\(server.stderr)")
            #expect(CLIProcess.json(server.stdout)["access_token_ttl"] as? Int == 600)
            let updated = try await CLIProcess.running(["servers", "update", "orders", "--rate-limit", "50/s", "--key-rotation", "90d", "--groups-claim"] + remote)
            #expect(updated.status == 0, "\(updated.stderr)")
            let stored = try #require(try await deployment.stores.servers.server(named: "orders"))
            #expect(stored.rateLimit?.description == "50/s" && stored.keyRotation == 90 * 86_400 && stored.groupsClaim)
            #expect(updated.stdout == (try await CLIProcess.running(["servers", "list"] + local)).stdout.split(separator: "\n").first { $0.hasPrefix("orders ") }.map { $0 + "\n" })
            let rotatedKey = try await CLIProcess.running(["keys", "rotate", "--server", "orders", "--now"] + remote)
            #expect(rotatedKey.status == 0, "\(rotatedKey.stderr)")
            let states = try await deployment.admin.keys(server: "orders")
            let previous = try #require(states.first { $0.state == .previous }?.key.kid)
            #expect(rotatedKey.stdout.hasPrefix("key \(states.first { $0.state == .current }?.key.kid ?? "?") (ES256) is published now"))
            #expect(try await CLIProcess.running(["keys", "retire", "--server", "orders", previous] + remote).stdout == "key \(previous) of server orders retired\n")
            let current = try #require(try await deployment.admin.keys(server: "orders").first { $0.state == .current }?.key.kid)
            let refusedRetire = try await CLIProcess.running(["keys", "retire", "--server", "orders", current] + remote)
            #expect(refusedRetire.status == 2 && refusedRetire.stderr.contains("HTTP 409, api.conflict"), "\(refusedRetire.stderr)")

            let events = try await deployment.events(EventQuery(clientID: admin.id, limit: 100)).filter { $0.endpoint == "management" }
            #expect(events.contains { $0.message == "created client \(id) (client_secret_basic) on server default" })
            #expect(events.contains { $0.message == "deleted client \(id)" })
        }
    }

    @Test func everyReadingCommandPrintsTheSameThroughAProfileAsOnTheDatabase() async throws {
        try await LiveServer.with { deployment, base in
            let admin = try await RemoteAdminClient.bootstrap(deployment, base: base, name: "cli")
            let keyFile = admin.keyFile
            let profiles = deployment.directory.appendingPathComponent("profiles.yaml")
            try Data("profiles:\n  live:\n    server_url: \(base)\n    client_id: \(admin.id)\n    private_key: \(keyFile.path)\n".utf8).write(to: profiles)
            let env = ["TESSERA_PROFILES_FILE": profiles.path]
            let remote = ["--profile", "live"]
            let local = ["--data-dir", deployment.directory.path]

            let client = try await deployment.register(.clientSecretBasic)
            _ = try await deployment.admin.createUser(username: "ada", password: "correct horse battery", email: "ada@example.com", displayName: "Ada",
                                                      hasher: deployment.runtime.passwords)
            #expect(try await CLIProcess.running(["groups", "create", "staff"] + remote, environment: env).status == 0)
            #expect(try await CLIProcess.running(["groups", "add-member", "staff", "ada"] + remote, environment: env).status == 0)
            for command in [["servers", "show", "default"], ["clients", "show", client.id], ["clients", "secrets", client.id],
                            ["clients", "secrets", client.id, "--json"], ["keys", "list", "--server", "default"], ["keys", "list", "--server", "default", "--json"],
                            ["users", "list"], ["users", "show", "ada"], ["users", "show", "ada", "--json"], ["users", "sessions", "ada", "--json"], ["groups", "list"], ["scopes", "list", "--server", "default", "--json"]] {
                let viaAPI = try await CLIProcess.running(command + remote, environment: env)
                let onDatabase = try await CLIProcess.running(command + local)
                #expect(viaAPI.status == 0 && onDatabase.status == 0, "\(command): \(viaAPI.stderr)\(onDatabase.stderr)")
                #expect(viaAPI.stdout == onDatabase.stdout, "\(command.joined(separator: " ")) differs between the modes")
            }
            #expect(try await CLIProcess.running(["users", "sign-out", "ada"] + remote, environment: env).stdout
                    == "user ada signed out: 0 session(s) ended, 0 refresh token families revoked\n")
            #expect(try await CLIProcess.running(["users", "unlock", "ada"] + remote, environment: env).stdout == "user ada unlocked\n")
            let before = try await deployment.stores.keys.keys(server: "default").count
            #expect(try await CLIProcess.running(["servers", "rotate-key", "default"] + remote, environment: env).status == 0)
            #expect(try await deployment.stores.keys.keys(server: "default").count == before + 1)
            #expect(try await CLIProcess.running(["users", "disable", "ada"] + remote, environment: env).stdout == "user ada disabled\n")
            #expect(try await deployment.stores.users.user(username: "ada")?.disabled == true)

            #expect(try await CLIProcess.running(["servers", "create", "legacy"] + remote, environment: env).status == 0)
            #expect(try await CLIProcess.running(["scopes", "create", "--server", "legacy", "old.read"] + remote, environment: env).status == 0)
            #expect(try await CLIProcess.running(["scopes", "update", "--server", "legacy", "old.read", "--description", "Old things"] + remote, environment: env)
                .stdout == "old.read updated on legacy\n")
            #expect(try await deployment.stores.scopes.scopes(server: "legacy").first?.description == "Old things")
            #expect(try await CLIProcess.running(["scopes", "delete", "--server", "legacy", "old.read"] + remote, environment: env).stdout == "old.read deleted from legacy\n")
            #expect(try await CLIProcess.running(["servers", "delete", "legacy"] + remote, environment: env).stdout == "server legacy deleted with its scopes and signing keys\n")
            #expect(try await deployment.stores.servers.server(named: "legacy") == nil)
            let system = try await CLIProcess.running(["servers", "delete", "system"] + remote, environment: env)
            #expect(system.status == 2 && system.stderr.contains("the built-in server system cannot be deleted") && system.stderr.contains("HTTP 409"))

            let unknown = try await CLIProcess.running(["servers", "list", "--profile", "staging"], environment: env)
            #expect(unknown.status == 2 && unknown.stderr.contains("has no profile \"staging\"; it has live"), "\(unknown.stderr)")
        }
    }
}
