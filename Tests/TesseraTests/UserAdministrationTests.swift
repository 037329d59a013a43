import Foundation
import Testing
import TesseraCore
import TesseraSQLite
import TesseraStore

/// Users and groups through the real `tessera` binary, and the password hasher's bounds.
@Suite struct UserAdministrationTests {
    @Test func usersAndGroupsAreManagedFromTheCLIWithoutEverPrintingAPasswordOrHash() async throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = ["--data-dir", dir.path]
        let cost = ["--password-cost", "10"]
        let created = try CLIProcess.run(["users", "create", "Ada@Example.com", "--password-stdin", "--email", "ada@example.com", "--name", "Ada", "--json"] + data + cost,
                                         input: "correct horse battery\n")
        #expect(created.status == 0, "\(created.stderr)")
        let user = CLIProcess.json(created.stdout)
        #expect(user["username"] as? String == "ada@example.com" && user["has_password"] as? Bool == true && (user["id"] as? String)?.hasPrefix("00u") == true)
        #expect(!created.stdout.contains("scrypt") && !created.stdout.contains("correct horse"))
        let duplicate = try CLIProcess.run(["users", "create", "ADA@example.com"] + data)
        #expect(duplicate.status == 2 && duplicate.stderr.contains("exists already"))
        let short = try CLIProcess.run(["users", "create", "bob", "--password-stdin"] + data + cost, input: "short\n")
        #expect(short.status == 2 && short.stderr.contains("at least 8 characters"))
        #expect(try CLIProcess.run(["users", "create", "bob"] + data).status == 0)
        #expect(try CLIProcess.run(["groups", "create", "admins"] + data).status == 0)
        #expect(try CLIProcess.run(["groups", "add-member", "admins", "ada@example.com"] + data).status == 0)
        let missingGroup = try CLIProcess.run(["groups", "add-member", "nope", "bob"] + data)
        #expect(missingGroup.status == 2 && missingGroup.stderr.contains("no group named"))
        let show = try CLIProcess.run(["users", "show", "ada@example.com", "--json"] + data)
        #expect(CLIProcess.json(show.stdout)["groups"] as? [String] == ["admins"])
        #expect(try CLIProcess.run(["groups", "list"] + data).stdout.contains("admins  members: ada@example.com"))
        #expect(try CLIProcess.run(["users", "disable", "bob"] + data).stdout.contains("bob disabled"))
        let list = try CLIProcess.run(["users", "list"] + data)
        #expect(list.stdout.contains("ada@example.com  enabled") && list.stdout.contains("bob  disabled"))
        let reset = try CLIProcess.run(["users", "set-password", "bob"] + data + cost, input: "another long password\n")
        #expect(reset.status == 0, "\(reset.stderr)")
        #expect(try CLIProcess.run(["users", "sessions", "ada@example.com"] + data).status == 0)
        #expect(try CLIProcess.run(["users", "sign-out", "ada@example.com"] + data).stdout.contains("0 session(s) ended"))
        #expect(try CLIProcess.run(["groups", "remove-member", "admins", "ada@example.com"] + data).status == 0)
        #expect(try CLIProcess.run(["users", "delete", "bob"] + data).status == 0)
        #expect(try CLIProcess.run(["users", "show", "bob"] + data).status == 2)

        let client = try CLIProcess.run(["clients", "create", "--server", "default", "--name", "spa", "--public", "--redirect-uri", "http://127.0.0.1/cb",
                                         "--post-logout-redirect-uri", "http://127.0.0.1/", "--json"] + data)
        let id = try #require(CLIProcess.json(client.stdout)["client_id"] as? String, "\(client.stderr)")
        let shown = CLIProcess.json(try CLIProcess.run(["clients", "show", id, "--json"] + data).stdout)
        #expect(shown["grant_types"] as? [String] == ["authorization_code", "refresh_token"] && shown["redirect_uris"] as? [String] == ["http://127.0.0.1/cb"])
        let badURI = try CLIProcess.run(["clients", "update", id, "--redirect-uri", "http://evil.example.com/cb"] + data)
        #expect(badURI.status == 2 && badURI.stderr.contains("redirect URI"))
        let publicCC = try CLIProcess.run(["clients", "update", id, "--grant-type", "client_credentials"] + data)
        #expect(publicCC.status == 2 && publicCC.stderr.contains("public client"))
        #expect(try CLIProcess.run(["clients", "update", id, "--first-party"] + data).status == 0)
        let server = try CLIProcess.run(["servers", "update", "default", "--refresh-token-lifetime", "14d", "--refresh-token-idle-lifetime", "1d", "--groups-claim"] + data)
        #expect(server.status == 0, "\(server.stderr)")
        let longIdle = try CLIProcess.run(["servers", "update", "default", "--refresh-token-idle-lifetime", "30d"] + data)
        #expect(longIdle.status == 2 && longIdle.stderr.contains("idle lifetime"))
    }

    @Test func passwordsHashWithScryptParametersBesideTheHashAndWeakerHashesAreRehashed() async throws {
        let strong = PasswordHasher(parameters: PasswordHasher.Parameters(logRounds: 11, blockSize: 8, parallelism: 1))
        let weak = PasswordHasher(parameters: .fastForTests)
        let hash = try await weak.hash("correct horse battery")
        #expect(hash.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        #expect(try await strong.verify("correct horse battery", against: hash), "verification reads the parameters from the hash")
        #expect(try await !strong.verify("correct horse batterY", against: hash))
        #expect(strong.needsRehash(hash) && !weak.needsRehash(hash))
        #expect(try await weak.hash("correct horse battery") != hash, "a fresh salt every time")
        #expect(try await !weak.verify("anything", against: nil), "an unknown user checks a decoy and fails")
        await #expect(throws: PasswordHasher.Failure.unreadableHash) { try await weak.verify("x", against: "$2b$10$notscrypt") }
    }

    @Test func aFloodOfHashesIsBoundedAndTheExcessRefusedAsBusy() async throws {
        let hasher = PasswordHasher(parameters: .standard, concurrency: 1, queueLimit: 2)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<12 {
                group.addTask { (try? await hasher.hash("a password of some length")) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.contains(true) && outcomes.contains(false), "some hashes ran, the ones past the queue were refused: \(outcomes)")
        #expect(outcomes.filter { $0 }.count >= 3, "the running one and the queued ones complete")
        #expect(hasher.load == (0, 0), "every slot was given back")
    }
}
