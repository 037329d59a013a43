import Foundation
import Testing
import TesseraCore
import TesseraJSON
import TesseraStore
import TesseraSQLite

/// `tessera apply` and `tessera export` with the real binary: on the database and through a live
/// server's management API, twice (the second finds nothing), with `--prune`, export → apply on an
/// empty deployment reproducing it, and the files it refuses before anything is changed.
@Suite struct ConfigAsCodeTests {
    static let file = """
        version: 1
        servers:
          - name: orders
            audiences: [https://orders.example.com]
            access_token_ttl: 900
            rate_limit: 3000/min
            claims: {env: prod}
            scopes:
              - {name: orders.read, description: Read orders}
              - {name: orders.write}
            clients:
              - name: billing
                token_endpoint_auth_method: client_secret_basic
                scopes: [orders.read]
                secret_file: billing.secret
              - name: reporting
                token_endpoint_auth_method: client_secret_post
                scopes: [orders.read, orders.write]
                enabled: false
                claims: {team: "${env:TESSERA_TEST_TEAM}"}
        """

    static func write(_ text: String, in directory: URL, as name: String = "tessera.yaml") throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func applyCreatesWhatTheFileNamesAndASecondApplyChangesNothing() async throws {
        let directory = CLIProcess.temporaryDirectory()
        let file = try Self.write(Self.file, in: directory)
        let data = ["--data-dir", directory.appendingPathComponent("data").path]
        let env = ["TESSERA_TEST_TEAM": "data"]

        let dry = try await CLIProcess.running(["apply", "-f", file, "--dry-run"] + data, environment: env)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("  + server orders\n") && dry.stdout.contains("  + client billing on orders (client_secret_basic)\n"))
        #expect(dry.stdout.contains("5 to create, 0 to change, 0 to delete"))
        #expect(!dry.stdout.contains("created"), "a dry run changes nothing")

        let first = try await CLIProcess.running(["apply", "-f", file, "--json"] + data, environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        let answer = CLIProcess.json(first.stdout)
        #expect(answer["applied"] as? Bool == true && (answer["changes"] as? [Any])?.count == 5, "\(first.stdout)")
        let created = (answer["done"] as? [[String: Any]] ?? []).filter { $0["client_id"] != nil }
        #expect(created.count == 2 && created.filter { $0["client_secret"] != nil }.count == 1 && created.filter { $0["secret_file"] != nil }.count == 1,
                "one secret in the answer, the other in its file: \(created)")
        let secretFile = directory.appendingPathComponent("billing.secret").path
        let secret = try String(contentsOfFile: secretFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect((try FileManager.default.attributesOfItem(atPath: secretFile)[.posixPermissions] as? Int) == 0o600)
        #expect(!first.stdout.contains(secret), "a secret written to its file is not printed")

        try await SQLiteTestFile.withStore(at: directory.appendingPathComponent("data/tessera.sqlite").path) { store async throws in
            let stores = Stores(store)
            let server = try #require(try await stores.servers.server(named: "orders"))
            #expect(server.audiences == ["https://orders.example.com"] && server.accessTokenTTL == 900 && server.rateLimit?.description == "3000/min")
            #expect(server.claims == ["env": .string("prod")])
            #expect(try await stores.scopes.scopes(server: "orders").map(\.name) == ["orders.read", "orders.write"])
            let clients = try await stores.clients.listClients(server: "orders")
            let reporting = try #require(clients.first { $0.name == "reporting" })
            #expect(!reporting.enabled && reporting.claims == ["team": .string("data")] && reporting.authMethod == .clientSecretPost)
            let billing = try #require(clients.first { $0.name == "billing" })
            #expect(ClientSecret.entry(for: secret, in: billing.secrets) != nil, "the secret in the file authenticates the client")
        }

        let asJSON = try await CLIProcess.running(["apply", "-f", file, "--json"] + data, environment: env)
        #expect(CLIProcess.json(asJSON.stdout)["applied"] as? Bool == false && (CLIProcess.json(asJSON.stdout)["changes"] as? [Any])?.isEmpty == true,
                "--json says there is nothing to do: \(asJSON.stdout)")
        let second = try await CLIProcess.running(["apply", "-f", file] + data, environment: env)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.hasPrefix("no changes: "), "\(second.stdout)")

        let edited = Self.file.replacingOccurrences(of: "access_token_ttl: 900", with: "access_token_ttl: 600")
            .replacingOccurrences(of: "scopes: [orders.read]\n", with: "scopes: [orders.read, orders.write]\n")
        let changed = try await CLIProcess.running(["apply", "-f", try Self.write(edited, in: directory)] + data, environment: env)
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stdout.contains("  ~ server orders: access_token_ttl\n"), "\(changed.stdout)")
        #expect(changed.stdout.contains("(billing) on orders: scopes\n"), "\(changed.stdout)")
        #expect(changed.stdout.contains("0 to create, 2 to change, 0 to delete"))
    }

    @Test func pruneDeletesWhatTheFileNoLongerNamesButNeverSystem() async throws {
        let directory = CLIProcess.temporaryDirectory()
        let data = ["--data-dir", directory.appendingPathComponent("data").path]
        let env = ["TESSERA_TEST_TEAM": "data"]
        #expect(try await CLIProcess.running(["apply", "-f", try Self.write(Self.file, in: directory)] + data, environment: env).status == 0)
        let smaller = """
            servers:
              - name: orders
                scopes: [{name: orders.read}]
                clients:
                  - {name: billing, scopes: [orders.read]}
            """
        let file = try Self.write(smaller, in: directory, as: "smaller.yaml")
        let without = try await CLIProcess.running(["apply", "-f", file] + data)
        #expect(without.stdout.hasPrefix("no changes: "), "without --prune nothing is deleted: \(without.stdout)")
        let pruned = try await CLIProcess.running(["apply", "-f", file, "--prune"] + data)
        #expect(pruned.status == 0, "\(pruned.stderr)")
        #expect(pruned.stdout.contains("(reporting) on orders\n") && pruned.stdout.contains("  - scope orders.write on orders\n"))
        #expect(pruned.stdout.contains("  - server default (with its scopes and signing keys)\n"))
        #expect(pruned.stdout.contains("kept: server system"))
        #expect(pruned.stdout.contains("0 to create, 0 to change, 3 to delete"))
        let order = ["(reporting) on orders", "scope orders.write", "server default"].compactMap { pruned.stdout.range(of: $0)?.lowerBound }
        #expect(order.count == 3 && order == order.sorted(), "clients go before the scopes they held, servers last")
        #expect(try await CLIProcess.running(["apply", "-f", file, "--prune"] + data).stdout.contains("\nno changes: "))

        try await SQLiteTestFile.withStore(at: directory.appendingPathComponent("data/tessera.sqlite").path) { store async throws in
            let stores = Stores(store)
            #expect(try await stores.servers.listServers().map(\.name) == ["orders", "system"])
            #expect(try await stores.clients.listClients(server: "orders").map(\.name) == ["billing"])
            #expect(try await stores.scopes.scopes(server: "orders").map(\.name) == ["orders.read"])
            #expect(try await stores.keys.keys(server: "default").isEmpty, "a deleted server's keys go with it")
        }
        // A restart does not bring `default` back: it is only created in an empty deployment.
        #expect(try await CLIProcess.running(["servers", "list"] + data).stdout.contains("default") == false)
    }

    @Test func exportThenApplyOnAnEmptyDeploymentReproducesIt() async throws {
        let directory = CLIProcess.temporaryDirectory()
        let source = ["--data-dir", directory.appendingPathComponent("source").path]
        let target = ["--data-dir", directory.appendingPathComponent("target").path]
        #expect(try await CLIProcess.running(["apply", "-f", try Self.write(Self.file, in: directory)] + source, environment: ["TESSERA_TEST_TEAM": "data"]).status == 0)
        let keys = try ClientKeyPair.generate(.es256)
        let jwks = directory.appendingPathComponent("svc.jwks.json")
        try Data(keys.jwksDocument().utf8).write(to: jwks)
        let keyClient = try await CLIProcess.running(["clients", "create", "--server", "orders", "--name", "svc", "--auth-method", "private_key_jwt",
                                            "--jwks-file", jwks.path, "--scope", "orders.write", "--json"] + source)
        #expect(keyClient.status == 0, "\(keyClient.stderr)")

        let exported = directory.appendingPathComponent("exported.yaml").path
        #expect(try await CLIProcess.running(["export", "-o", exported] + source).status == 0)
        let text = try String(contentsOfFile: exported, encoding: .utf8)
        #expect(!text.contains("secret_hash") && !text.contains("client_secret:") && !text.contains("\"d\""), "no secret or private key is exported")
        let applied = try await CLIProcess.running(["apply", "-f", exported] + target)
        #expect(applied.status == 0, "\(applied.stderr)")
        let reExported = try await CLIProcess.running(["export"] + target)
        #expect(reExported.stdout == text, "export → apply → export gives the same file")
        #expect(try await CLIProcess.running(["apply", "-f", exported] + target).stdout.hasPrefix("no changes: "))
        // The key client keeps its id and keys: its service gets tokens from the new deployment unchanged.
        let id = try #require(CLIProcess.json(keyClient.stdout)["client_id"] as? String)
        try await SQLiteTestFile.withStore(at: directory.appendingPathComponent("target/tessera.sqlite").path) { store async throws in
            let stores = Stores(store)
            let moved = try #require(try await stores.clients.client(id: id))
            #expect(moved.authMethod == .privateKeyJWT && JSONValue.decodeObject(moved.jwks ?? "") == JSONValue.decodeObject(keys.jwksDocument()))
        }
    }

    @Test func applyAndExportWorkThroughTheAPIAndNeverPruneTheCallingAdminClient() async throws {
        try await LiveServer.with { deployment, base in
            let admin = try await RemoteAdminClient.bootstrap(deployment, base: base, name: "ci")
            let remote = admin.arguments
            let file = try Self.write(Self.file, in: deployment.directory)

            let first = try await CLIProcess.running(["apply", "-f", file] + remote, environment: ["TESSERA_TEST_TEAM": "data"])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("applied 5 changes"))
            #expect(try await deployment.stores.clients.listClients(server: "orders").count == 2)
            #expect(try await deployment.stores.servers.server(named: "orders")?.rateLimit?.description == "3000/min")
            #expect(try await CLIProcess.running(["apply", "-f", file] + remote, environment: ["TESSERA_TEST_TEAM": "data"]).stdout.hasPrefix("no changes: "))

            let people = try Self.write("servers: []\nusers:\n  - {username: grace, email: grace@example.com}\ngroups:\n  - {name: ops, members: [grace]}\n",
                                        in: deployment.directory, as: "people.yaml")
            let users = try await CLIProcess.running(["apply", "-f", people] + remote)
            #expect(users.status == 0, "\(users.stderr)")
            #expect(try await deployment.stores.users.user(username: "grace")?.email == "grace@example.com")
            #expect(try await deployment.stores.users.listGroups().first { $0.name == "ops" }?.members.count == 1)

            let viaAPI = try await CLIProcess.running(["export"] + remote)
            let onDatabase = try await CLIProcess.running(["export", "--data-dir", deployment.directory.path])
            #expect(viaAPI.status == 0, "\(viaAPI.stderr)")
            #expect(viaAPI.stdout == onDatabase.stdout, "export is the same in both modes")

            // The file names system without the admin client: --prune keeps the caller, says so, deletes the rest.
            let only = try Self.write("servers:\n  - name: system\n  - name: orders\n", in: deployment.directory, as: "only.yaml")
            let pruned = try await CLIProcess.running(["apply", "-f", only, "--prune"] + remote)
            #expect(pruned.status == 0, "\(pruned.stderr)")
            #expect(pruned.stdout.contains("kept: client \(admin.id) (ci) on system: it is the admin client making these calls"))
            #expect(try await deployment.stores.clients.listClients(server: "orders").isEmpty)
            #expect(try await deployment.stores.servers.server(named: "default") == nil)
            #expect(try await deployment.stores.clients.client(id: admin.id) != nil)

            let events = try await deployment.events(EventQuery(clientID: admin.id, limit: 200))
            #expect(events.contains { $0.message.hasPrefix("created server orders") })
            #expect(events.contains { $0.message.hasPrefix("deleted server default") })
            #expect(events.contains { $0.message.hasPrefix("created client ") && $0.message.hasSuffix("on server orders") })
        }
    }

    @Test(arguments: [
        ("servers:\n  - name: orders\n    colour: blue\n", "servers[0]: unknown field \"colour\""),
        ("servers:\n  - name: orders\n    access_token_ttl: soon\n", "servers[0]: field \"access_token_ttl\""),
        ("servers:\n  - name: orders\n    clients:\n      - {name: a, scopes: orders.read}\n", "servers[0].clients[0]: field \"scopes\""),
        ("servers:\n  - name: orders\n    claims: {team: \"${env:TESSERA_UNSET_VARIABLE}\"}\n", "environment variable TESSERA_UNSET_VARIABLE is not set"),
        ("servers:\n  - name: orders\n  - name: orders\n", "servers[1]: server \"orders\" is named twice"),
        ("servers: [\n", "the file is not valid YAML"),
        ("version: 2\n", "version: this Tessera reads version 1 files"),
    ])
    func aFileWithAMistakeIsRefusedNamingWhereBeforeAnythingChanges(text: String, expected: String) async throws {
        let directory = CLIProcess.temporaryDirectory()
        let data = ["--data-dir", directory.appendingPathComponent("data").path]
        let refused = try await CLIProcess.running(["apply", "-f", try Self.write(text, in: directory)] + data)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains(expected), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(try await CLIProcess.running(["servers", "list"] + data).stdout.contains("orders") == false)
    }

    @Test func aClientWhoseMethodTheFileChangesIsRefusedBeforeAnyStep() async throws {
        let directory = CLIProcess.temporaryDirectory()
        let data = ["--data-dir", directory.appendingPathComponent("data").path]
        #expect(try await CLIProcess.running(["apply", "-f", try Self.write(Self.file, in: directory)] + data, environment: ["TESSERA_TEST_TEAM": "x"]).status == 0)
        let changed = Self.file.replacingOccurrences(of: "token_endpoint_auth_method: client_secret_basic", with: "token_endpoint_auth_method: client_secret_jwt")
            .replacingOccurrences(of: "access_token_ttl: 900", with: "access_token_ttl: 700")
        let refused = try await CLIProcess.running(["apply", "-f", try Self.write(changed, in: directory)] + data, environment: ["TESSERA_TEST_TEAM": "x"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("has token_endpoint_auth_method \"client_secret_basic\", the file says \"client_secret_jwt\"; it cannot change"), "\(refused.stderr)")
        try await SQLiteTestFile.withStore(at: directory.appendingPathComponent("data/tessera.sqlite").path) { store async throws in
            let stores = Stores(store)
            #expect(try await stores.servers.server(named: "orders")?.accessTokenTTL == 900, "nothing was applied")
        }
    }

    @Test func usersAndGroupsAreManagedOnlyWhenTheFileListsThemAndPasswordsNeverLeave() async throws {
        let directory = CLIProcess.temporaryDirectory()
        let data = ["--data-dir", directory.appendingPathComponent("data").path, "--password-cost", "10"]
        let people = """
            servers: []
            users:
              - {username: Ada, email: ada@example.com, email_verified: true, display_name: Ada Lovelace, password: "${env:TESSERA_TEST_ADA}"}
              - {username: bob, disabled: true}
            groups:
              - {name: staff, members: [ada, bob]}
            """
        let env = ["TESSERA_TEST_ADA": "correct horse battery staple"]
        let first = try await CLIProcess.running(["apply", "-f", try Self.write(people, in: directory)] + data, environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("  + user ada\n") && first.stdout.contains("  + user bob (no password)\n"))
        #expect(first.stdout.contains("  ~ group staff: add bob\n"))
        #expect(!first.stdout.contains("correct horse"), "a password is never printed")
        #expect(try await CLIProcess.running(["apply", "-f", try Self.write(people, in: directory)] + data, environment: env).stdout.hasPrefix("no changes: "))

        let exported = try await CLIProcess.running(["export", "--data-dir", directory.appendingPathComponent("data").path])
        #expect(exported.stdout.contains("- username: ada\n  display_name: Ada Lovelace\n  email: ada@example.com\n  email_verified: true\n"))
        #expect(!exported.stdout.contains("scrypt") && !exported.stdout.contains("password:"), "no password or hash is exported")

        // A file without users: and groups: leaves them alone, even with --prune.
        let serversOnly = try Self.write("servers:\n  - name: default\n", in: directory, as: "servers.yaml")
        let untouched = try await CLIProcess.running(["apply", "-f", serversOnly, "--prune"] + data)
        #expect(!untouched.stdout.contains("user ") && !untouched.stdout.contains("group "), "\(untouched.stdout)")
        // Named lists are the whole truth: bob leaves staff (membership is a setting), and --prune deletes him.
        let fewer = "servers: []\nusers:\n  - {username: ada}\ngroups:\n  - {name: staff, members: [ada]}\n"
        let pruned = try await CLIProcess.running(["apply", "-f", try Self.write(fewer, in: directory, as: "fewer.yaml"), "--prune"] + data)
        #expect(pruned.status == 0, "\(pruned.stderr)")
        #expect(pruned.stdout.contains("  ~ group staff: remove bob\n") && pruned.stdout.contains("  - user bob (ending its sessions and refresh tokens)\n"))

        try await SQLiteTestFile.withStore(at: directory.appendingPathComponent("data/tessera.sqlite").path) { store async throws in
            let users = try await store.listUsers()
            #expect(users.map(\.username) == ["ada"])
            let ada = try #require(users.first)
            #expect(ada.emailVerified && ada.displayName == "Ada Lovelace" && ada.passwordHash?.hasPrefix("$scrypt$ln=10") == true)
            #expect(try await store.listGroups().map(\.members) == [[ada.id]])
        }
    }
}
