import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import Testing
import TesseraCore

/// Several `tessera serve` processes on one PostgreSQL database: shared replay store, deny list and
/// configuration, a node killed under load, and the database restarted under load.
@Suite(.serialized, .enabled(if: TestPostgres.enabled, TestPostgres.skipReason)) struct MultiNodeTests {
    /// One `tessera serve` process on a real port.
    struct Node {
        let process: Process
        let base: String
        let log: URL

        /// Where to send requests for the default server (the issuer itself is the shared public URL).
        var issuer: String { base + "/oauth2/default" }
        /// Every node of a deployment is started with the load balancer's URL as its public URL.
        static let publicURL = "http://tessera.lb.test"
        static let sharedIssuer = publicURL + "/oauth2/default"

        static func start(database: String, masterKey: String, directory: URL, name: String) async throws -> Node {
            let port = CLIProcess.freePort()
            let log = directory.appendingPathComponent("\(name).log")
            let process = try CLIProcess.start(["serve", "--port", String(port), "--database", database, "--public-url", publicURL], stderr: log,
                                               environment: ["TESSERA_MASTER_KEY": masterKey])
            let node = Node(process: process, base: "http://127.0.0.1:\(port)", log: log)
            try await ServeProcessTests.waitUntilHealthy(node.base)
            return node
        }

        /// SIGTERM, then up to 20 s for a clean exit (the server bounds its own shutdown to 15 s).
        func stop() {
            guard process.isRunning else { return }
            process.terminate()
            for _ in 0..<200 where process.isRunning { Thread.sleep(forTimeInterval: 0.1) }
            if process.isRunning {
                Issue.record("the node did not stop within 20 s of SIGTERM; killing it (log: \(log.path))")
                kill(process.processIdentifier, SIGKILL)
            }
            process.waitUntilExit()
        }
    }

    /// A fresh database, a shared master key and a way to run admin commands against both.
    struct Deployment {
        let url: String
        let masterKey: String
        let directory: URL

        static func make() async throws -> Deployment {
            let database = try await TestPostgres.freshDatabase()
            let key = try CLIProcess.run(["master-key"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            return Deployment(url: database.url, masterKey: key, directory: CLIProcess.temporaryDirectory())
        }

        func admin(_ arguments: [String]) throws -> CLIProcess.Result {
            try CLIProcess.run(arguments + ["--database", url], environment: ["TESSERA_MASTER_KEY": masterKey])
        }

        func node(_ name: String) async throws -> Node {
            try await Node.start(database: url, masterKey: masterKey, directory: directory, name: name)
        }

        /// A client_secret_post client with `orders.read`; returns its form credentials.
        func client() throws -> String {
            _ = try admin(["scopes", "create", "--server", "default", "orders.read"])
            let created = try admin(["clients", "create", "--server", "default", "--name", "svc", "--auth-method", "client_secret_post",
                                     "--scope", "orders.read", "--json"])
            let json = CLIProcess.json(created.stdout)
            return "client_id=\(json["client_id"] as? String ?? "")&client_secret=\(json["client_secret"] as? String ?? "")"
        }
    }

    static func post(_ url: String, _ form: String) async throws -> (status: Int, json: [String: Any]) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), CLIProcess.json(String(buffer: body)))
    }

    /// Polls `condition` every 50 ms for up to 30 s; fails the test with `what` if it never holds.
    static func waitUntil(_ what: String, _ condition: () async -> Bool) async throws {
        let started = ContinuousClock.now
        while ContinuousClock.now - started < .seconds(30) {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("waited 30 s in vain: \(what)")
    }

    @Test func migrateAndNoMigrateAndBadCredentialsGiveOneLineEach() async throws {
        let database = try await TestPostgres.freshDatabase()
        let key = ["TESSERA_MASTER_KEY": try CLIProcess.run(["master-key"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)]
        let refused = try CLIProcess.run(["serve", "--port", "0", "--no-migrate", "--database", database.url], environment: key)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("schema version 0") && refused.stderr.contains("tessera migrate"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "one line: \(refused.stderr)")

        let migrated = try CLIProcess.run(["migrate", "--database", database.url])
        #expect(migrated.status == 0 && migrated.stdout.contains("applied migrations 1, 2, 3, 4"), "\(migrated.stdout)\(migrated.stderr)")
        let again = try CLIProcess.run(["migrate", "--database", database.url])
        #expect(again.status == 0 && again.stdout.contains("up to date (schema version 13)"), "\(again.stdout)\(again.stderr)")

        let password = try #require(TestPostgres.passwordOf(database.url))
        let wrong = database.url.replacingOccurrences(of: ":\(password)@", with: ":not-the-password@")
        let denied = try CLIProcess.run(["serve", "--port", "0", "--database", wrong], environment: key)
        #expect(denied.status == 1)
        #expect(denied.stderr.contains("password authentication failed") && !denied.stderr.contains("not-the-password"), "\(denied.stderr)")
        let noKey = try CLIProcess.run(["clients", "list", "--server", "default", "--database", database.url])
        #expect(noKey.status == 1 && noKey.stderr.contains("TESSERA_MASTER_KEY"), "\(noKey.stderr)")
    }

    @Test func aClientCreatedThroughOneNodesAdminCommandAuthenticatesAtTheOtherAtOnce() async throws {
        let deployment = try await Deployment.make()
        let a = try await deployment.node("a")
        let b = try await deployment.node("b")
        defer { a.stop(); b.stop() }
        // Both nodes have cached the default server before the client exists.
        #expect(try await Self.post(b.issuer + "/v1/token", "grant_type=client_credentials&client_id=nobody&client_secret=x").status == 400)
        let credentials = try deployment.client()
        let created = ContinuousClock.now
        var status = 0
        repeat {
            status = try await Self.post(b.issuer + "/v1/token", "grant_type=client_credentials&scope=orders.read&" + credentials).status
            if status == 200 { break }
            try await Task.sleep(for: .milliseconds(20))
        } while ContinuousClock.now - created < .seconds(1)
        #expect(status == 200, "node b did not accept the new client within a second")
        #expect(try await Self.post(a.issuer + "/v1/token", "grant_type=client_credentials&scope=orders.read&" + credentials).status == 200)
    }

    @Test func anAssertionUsedAtOneNodeIsRejectedAtTheOther() async throws {
        let deployment = try await Deployment.make()
        let a = try await deployment.node("a")
        let b = try await deployment.node("b")
        defer { a.stop(); b.stop() }
        let keyFile = deployment.directory.appendingPathComponent("key.pem").path
        let jwksFile = deployment.directory.appendingPathComponent("jwks.json").path
        #expect(try CLIProcess.run(["keygen", "--private-key", keyFile, "--jwks", jwksFile]).status == 0)
        let created = try deployment.admin(["clients", "create", "--server", "default", "--name", "signer", "--auth-method", "private_key_jwt",
                                            "--jwks-file", jwksFile, "--json"])
        let clientID = try #require(CLIProcess.json(created.stdout)["client_id"] as? String, "\(created.stderr)")
        let assertion = try CLIProcess.run(["assertion", "--client-id", clientID, "--private-key", keyFile, "--audience", Node.sharedIssuer])
        #expect(assertion.status == 0, "\(assertion.stderr)")
        let form = "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
            + "&client_assertion=" + assertion.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let first = try await Self.post(a.issuer + "/v1/token", form)
        #expect(first.status == 200, "\(first.json)")
        let replay = try await Self.post(b.issuer + "/v1/token", form)
        #expect(replay.status == 400)
        #expect(replay.json["error"] as? String == "invalid_client")
        #expect((replay.json["error_description"] as? String)?.contains("was already used") == true, "\(replay.json)")
    }

    @Test(arguments: ["jwt", "opaque"])
    func aTokenRevokedAtOneNodeIsInactiveAtTheOtherWithinASecond(format: String) async throws {
        let deployment = try await Deployment.make()
        #expect(try deployment.admin(["servers", "update", "default", "--token-format", format]).status == 0)
        let a = try await deployment.node("a")
        let b = try await deployment.node("b")
        defer { a.stop(); b.stop() }
        let credentials = try deployment.client()
        var issued = try await Self.post(a.issuer + "/v1/token", "grant_type=client_credentials&scope=orders.read&" + credentials)
        try await Self.waitUntil("node a issues a token to the new client") {
            if issued.status == 200 { return true }
            issued = (try? await Self.post(a.issuer + "/v1/token", "grant_type=client_credentials&scope=orders.read&" + credentials)) ?? issued
            return issued.status == 200
        }
        let token = try #require(issued.json["access_token"] as? String, "\(issued.json)")
        // Node b verifies (or reads) and caches the token as active.
        let before = try await Self.post(b.issuer + "/v1/introspect", "token=\(token)&" + credentials)
        #expect(before.json["active"] as? Bool == true, "\(before.json)")
        #expect(try await Self.post(a.issuer + "/v1/revoke", "token=\(token)&" + credentials).status == 200)
        let revoked = ContinuousClock.now
        var active = true
        repeat {
            active = try await Self.post(b.issuer + "/v1/introspect", "token=\(token)&" + credentials).json["active"] as? Bool ?? true
            if !active { break }
            try await Task.sleep(for: .milliseconds(20))
        } while ContinuousClock.now - revoked < .seconds(1)
        #expect(!active, "node b still said active a second after the revocation at node a")
    }

    @Test func killingOneNodeUnderLoadLosesNoIssuedOpaqueTokenAndTheOtherKeepsServing() async throws {
        let deployment = try await Deployment.make()
        #expect(try deployment.admin(["servers", "update", "default", "--token-format", "opaque"]).status == 0)
        let credentials = try deployment.client()
        let a = try await deployment.node("a")
        let b = try await deployment.node("b")
        defer { a.stop(); b.stop() }
        let counter = LoadSwitch()
        let issued = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var tokens: [String] = []
                    while true {
                        guard let answer = try? await Self.post(a.issuer + "/v1/token", "grant_type=client_credentials&scope=orders.read&" + credentials),
                              answer.status == 200, let token = answer.json["access_token"] as? String else { return tokens }
                        tokens.append(token)
                        counter.noteIssued()
                    }
                }
            }
            try await Self.waitUntil("node a issued 50 tokens under load") { counter.issued >= 50 }
            kill(a.process.processIdentifier, SIGKILL)
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(issued.count >= 50, "too few tokens issued before the kill to mean anything: \(issued.count)")
        for token in issued {
            let answer = try await Self.post(b.issuer + "/v1/introspect", "token=\(token)&" + credentials)
            #expect(answer.json["active"] as? Bool == true, "a token node a handed out is not known at node b: \(answer.json)")
        }
        #expect(try await Self.post(b.issuer + "/v1/token", "grant_type=client_credentials&scope=orders.read&" + credentials).status == 200)
    }

    @Test(.enabled(if: TestPostgres.control != nil || TestPostgres.inCI, "TESSERA_TEST_POSTGRES_CTL is unset (scripts/pg-cluster prints it)"))
    func restartingPostgresUnderLoadFailsRequestsCleanlyAndRecoversByItself() async throws {
        let control = try #require(TestPostgres.control, "TESSERA_TEST_POSTGRES_CTL must be set in CI")
        let deployment = try await Deployment.make()
        #expect(try deployment.admin(["servers", "update", "default", "--token-format", "opaque"]).status == 0)
        let credentials = try deployment.client()
        let node = try await deployment.node("a")
        defer { node.stop() }
        #expect(try await Self.post(node.issuer + "/v1/token", "grant_type=client_credentials&scope=orders.read&" + credentials).status == 200)

        let loading = LoadSwitch()
        defer { loading.turnOff() }
        let load = Self.tokenLoad(node, credentials, while: loading)
        try await Self.waitUntil("the load got a token") { loading.issued > 0 }
        try Self.shell(control + " -m fast -w stop")
        try await Self.waitUntil("/readyz must say 503 while the database is down") { await ServeProcessTests.get(node.base + "/readyz")?.0 == 503 }
        #expect(await ServeProcessTests.get(node.base + "/healthz")?.0 == 200, "/healthz must keep answering")
        let down = try await Self.post(node.issuer + "/v1/token", "grant_type=client_credentials&scope=orders.read&" + credentials)
        #expect(down.status == 503 && down.json["error"] as? String == "temporarily_unavailable", "\(down)")

        try Self.shell(control + " -w -t 60 start")
        let restarted = ContinuousClock.now
        var recovered = false
        repeat {
            if (try? await Self.post(node.issuer + "/v1/token", "grant_type=client_credentials&scope=orders.read&" + credentials))?.status == 200 {
                recovered = true
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now - restarted < .seconds(30)
        loading.turnOff()
        let seen = try await load.value
        #expect(recovered, "the node did not recover within 30 s of the database coming back")
        #expect(await ServeProcessTests.get(node.base + "/readyz")?.0 == 200)
        #expect(node.process.isRunning, "the node must not crash when the database goes away")
        let unexpected = seen.filter { !($0.0 == 200 || ($0.0 == 503 && $0.1 == "temporarily_unavailable")) }
        #expect(unexpected.isEmpty, "under load every answer must be 200 or 503 temporarily_unavailable; got \(unexpected.prefix(5))")
        #expect(seen.contains { $0.0 == 503 } && seen.contains { $0.0 == 200 }, "the load should have seen both outages and successes")
    }

    /// Four clients issuing tokens (each one a database write) until `loading` is turned off; every answer's
    /// status and error code (status 0: no HTTP answer).
    static func tokenLoad(_ node: Node, _ credentials: String, while loading: LoadSwitch) -> Task<[(Int, String?)], any Error> {
        Task {
            try await withThrowingTaskGroup(of: [(Int, String?)].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        var seen: [(Int, String?)] = []
                        while loading.isOn {
                            do {
                                let answer = try await Self.post(node.issuer + "/v1/token", "grant_type=client_credentials&scope=orders.read&" + credentials)
                                seen.append((answer.status, answer.json["error"] as? String))
                                if answer.status == 200 { loading.noteIssued() }
                            } catch {
                                seen.append((0, "no HTTP answer: \(error)"))
                            }
                        }
                        return seen
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
        }
    }

    /// The hang seen once (a node under load after a database restart did not exit on SIGTERM), looped:
    /// three nodes in turn, each under load through a restart of the database, are stopped — the first two
    /// after the database came back, the last while it is down — and each must exit by itself within its
    /// bound (20 s; `ShutdownWatchdog`), with status 0 when the database is there for its last flush.
    @Test(.enabled(if: TestPostgres.control != nil || TestPostgres.inCI, "TESSERA_TEST_POSTGRES_CTL is unset (scripts/pg-cluster prints it)"))
    func aNodeUnderLoadStopsWithinItsBoundAfterEachDatabaseRestart() async throws {
        let control = try #require(TestPostgres.control, "TESSERA_TEST_POSTGRES_CTL must be set in CI")
        let deployment = try await Deployment.make()
        let credentials = try deployment.client()
        for round in 1...3 {
            let node = try await deployment.node("round-\(round)")
            let loading = LoadSwitch()
            let load = Self.tokenLoad(node, credentials, while: loading)
            try await Self.waitUntil("round \(round): the load got a token") { loading.issued > 0 }
            try Self.shell(control + " -m fast -w stop")
            try await Self.waitUntil("round \(round): /readyz reports the database gone") {
                await ServeProcessTests.get(node.base + "/readyz")?.0 == 503
            }
            let databaseUp = round < 3
            if databaseUp {
                try Self.shell(control + " -w -t 60 start")
                let restarted = ContinuousClock.now
                while ContinuousClock.now - restarted < .seconds(30),
                      (try? await Self.post(node.issuer + "/v1/token", "grant_type=client_credentials&scope=orders.read&" + credentials))?.status != 200 {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            let stopping = ContinuousClock.now
            node.process.terminate()
            while node.process.isRunning, ContinuousClock.now - stopping < .seconds(25) { try await Task.sleep(for: .milliseconds(50)) }
            let took = ContinuousClock.now - stopping
            loading.turnOff()
            _ = try await load.value
            #expect(!node.process.isRunning, "round \(round): the node did not exit within 25 s of SIGTERM (log: \(node.log.path))")
            node.stop()
            #expect(took < .seconds(21), "round \(round): the stop took \(took)")
            if databaseUp {
                #expect(node.process.terminationStatus == 0, "round \(round): exit status \(node.process.terminationStatus) (log: \(node.log.path))")
            } else {
                try Self.shell(control + " -w -t 60 start")
            }
        }
    }

    /// Runs a shell command (pg_ctl) and waits for it. Not through `Process`: the PostgreSQL server that
    /// pg_ctl starts would inherit the descriptor Foundation watches for the child's exit, so the wait
    /// would never end. Here the command runs with no descriptor above stderr (python3 closes them).
    static func shell(_ command: String) throws {
        var pid: pid_t = 0
        let closeAndRun = "import os, sys; os.closerange(3, 65536); os.execv('/bin/sh', ['/bin/sh', '-c', sys.argv[1]])"
        let arguments = ["/usr/bin/env", "python3", "-c", closeAndRun, command]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let spawned = posix_spawn(&pid, "/usr/bin/env", nil, nil, &argv, environ)
        #expect(spawned == 0, "cannot run \(command)")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        #expect(status == 0, "\(command) failed with status \(status)")
    }
}

/// Tells load loops in other tasks when to stop, and counts the tokens they were issued.
final class LoadSwitch: Sendable {
    private let on = Mutex(true)
    private let tokens = Mutex(0)
    var isOn: Bool { on.withLock { $0 } }
    /// Tokens the load has been issued so far.
    var issued: Int { tokens.withLock { $0 } }
    func turnOff() { on.withLock { $0 = false } }
    func noteIssued() { tokens.withLock { $0 += 1 } }
}
