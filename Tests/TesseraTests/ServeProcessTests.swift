import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TesseraCore

/// `tessera serve` as a real process on a real socket: start, admin changes seen while running,
/// clean stop on SIGTERM, and clear failures at start.
@Suite(.serialized) struct ServeProcessTests {
    static func get(_ url: String) async -> (Int, String)? {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)),
              let body = try? await response.body.collect(upTo: 1 << 20) else { return nil }
        return (Int(response.status.code), String(buffer: body))
    }

    /// Waits until something answers HTTP at `url` (any status).
    static func waitUntilAnswering(_ url: String) async throws {
        for _ in 0..<100 {
            if await get(url) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("nothing answered at \(url)")
    }

    /// Waits until the server at `issuer` has picked up `clientID` (created by the CLI, seen within a second):
    /// discovery with `?client_id=` answers 200 once it has.
    static func waitUntilServerKnows(client clientID: String, issuer: String) async throws {
        for _ in 0..<50 {
            if await get(issuer + "/.well-known/openid-configuration?client_id=\(clientID)")?.0 == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the server at \(issuer) never saw client \(clientID)")
    }

    static func waitUntilHealthy(_ base: String) async throws {
        for _ in 0..<100 {
            if let (status, _) = await get(base + "/healthz"), status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("server at \(base) never became healthy")
    }

    @Test func serverSeesCLIChangesWithinASecondAndStopsCleanlyOnSIGTERM() async throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = CLIProcess.freePort()
        let base = "http://127.0.0.1:\(port)"
        let log = dir.appendingPathComponent("serve.log")
        let server = try CLIProcess.start(["serve", "--port", String(port), "--data-dir", dir.appendingPathComponent("data").path], stderr: log)
        defer { if server.isRunning { server.terminate() } }
        try await Self.waitUntilHealthy(base)
        let startLog = try String(contentsOf: log, encoding: .utf8)
        #expect(startLog.contains("issuer \(base)/oauth2/default"))

        let data = ["--data-dir", dir.appendingPathComponent("data").path]
        #expect(try CLIProcess.run(["scopes", "create", "--server", "default", "orders.read"] + data).status == 0)
        let created = CLIProcess.json(try CLIProcess.run(["clients", "create", "--server", "default", "--name", "svc",
                                                          "--auth-method", "client_secret_post", "--scope", "orders.read", "--json"] + data).stdout)
        let id = try #require(created["client_id"] as? String)
        let secret = try #require(created["client_secret"] as? String)
        let createdAt = ContinuousClock.now

        var seen = false
        var last = ""
        repeat {
            var request = HTTPClientRequest(url: base + "/oauth2/default/v1/token")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: "grant_type=client_credentials&client_id=\(id)&client_secret=\(secret)"))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(2))
            last = String(buffer: try await response.body.collect(upTo: 1 << 16))
            if response.status == .ok { seen = true; break }
            try await Task.sleep(for: .milliseconds(50))
        } while ContinuousClock.now - createdAt < .seconds(1)
        #expect(seen, "the running server did not see the new client within a second: \(last)")

        let token = try CLIProcess.run(["token", "--issuer", base + "/oauth2/default", "--client-id", id, "--client-secret", secret,
                                        "--auth-method", "client_secret_post", "--scope", "orders.read"])
        #expect(token.status == 0, "\(token.stderr)")
        #expect(CLIProcess.json(token.stdout)["scope"] as? String == "orders.read")

        let accessToken = try #require(CLIProcess.json(token.stdout)["access_token"] as? String)
        let caller = ["--issuer", base + "/oauth2/default", "--client-id", id, "--client-secret", secret, "--auth-method", "client_secret_post"]
        let active = try CLIProcess.run(["introspect"] + caller + [accessToken])
        #expect(active.status == 0, "\(active.stderr)")
        #expect(CLIProcess.json(active.stdout)["active"] as? Bool == true)
        #expect(try CLIProcess.run(["revoke"] + caller + [accessToken]).status == 0)
        let inactive = try CLIProcess.run(["introspect"] + caller + [accessToken])
        #expect(inactive.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == #"{"active":false}"#)
        let serverLog = try String(contentsOf: log, encoding: .utf8)
        #expect(serverLog.contains("reason=token.revoked"), "the inactive reason is logged with the request id")
        #expect(serverLog.contains("request_id="), "request lines carry Tessera's request id")

        let failing = try CLIProcess.run(["token", "--issuer", base + "/oauth2/default", "--client-id", id, "--client-secret", "wrong",
                                          "--auth-method", "client_secret_post"])
        #expect(failing.status == 1)
        #expect(failing.stderr.contains("invalid_client"))
        #expect(failing.stderr.contains("request id"))

        let metrics = try #require(await Self.get(base + "/metrics"))
        #expect(metrics.1.contains(#"tessera_store_duration_seconds_count{operation="SELECT"}"#), "store latency is measured per statement kind")
        #expect(metrics.1.contains(#"tessera_tokens_issued_total{server="default"}"#))
        #expect(await Self.get(base + "/readyz")?.0 == 200)

        let busy = try CLIProcess.run(["serve", "--port", String(port), "--data-dir", dir.appendingPathComponent("other-data").path])
        #expect(busy.status == 1)
        #expect(busy.stderr.contains("already in use"), "\(busy.stderr)")
        // Assertion claims are decided in memory by one server per SQLite database: a second one stops at start.
        let secondLog = dir.appendingPathComponent("second.log")
        let second = try CLIProcess.start(["serve", "--port", String(CLIProcess.freePort()), "--data-dir", dir.appendingPathComponent("data").path],
                                          stderr: secondLog)
        for _ in 0..<100 where second.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        if second.isRunning {
            second.terminate()
            Issue.record("a second server started on the same SQLite database")
        }
        second.waitUntilExit()
        let secondError = try String(contentsOf: secondLog, encoding: .utf8)
        #expect(second.terminationStatus == 1)
        #expect(secondError.contains("another Tessera server (process \(server.processIdentifier))"), "\(secondError)")
        #expect(secondError.split(separator: "\n").count == 1, "one line: \(secondError)")

        server.terminate()
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
    }

    @Test func eventLoopsAndTheBlockingPoolFollowTheCPUsTheProcessMayUse() async throws {
        // NIO alone counts the machine's cores; a node pinned to one core must run one event loop, not two that
        // wake each other on every hop, and one blocking-pool thread for its one SQLite connection.
        let taskset = "/usr/bin/taskset"
        guard FileManager.default.isExecutableFile(atPath: taskset) else {
            Issue.record("taskset (util-linux) is missing; Debian always has it")
            return
        }
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = CLIProcess.freePort()
        let server = try CLIProcess.start(["serve", "--port", String(port), "--data-dir", dir.appendingPathComponent("data").path],
                                          stderr: dir.appendingPathComponent("serve.log"), launcher: [taskset, "-c", "0"])
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }
        try await Self.waitUntilHealthy("http://127.0.0.1:\(port)")
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(server.processIdentifier)/task")
        let names = tasks.compactMap { try? String(contentsOfFile: "/proc/\(server.processIdentifier)/task/\($0)/comm", encoding: .utf8) }
        let loops = names.filter { $0.hasPrefix("NIO-SGLTN-") }
        #expect(loops.count == 1, "event loop threads of a process pinned to one CPU: \(names.sorted())")
        let pool = names.filter { $0.hasPrefix("SGLTN-TP-") }
        #expect(pool.count == 1, "blocking pool threads of a process pinned to one CPU: \(names.sorted())")
    }

    @Test func unusableDataDirectoryFailsWithOneLine() throws {
        let file = CLIProcess.temporaryDirectory().appendingPathComponent("a-file")
        #expect(FileManager.default.createFile(atPath: file.path, contents: Data("x".utf8)))
        let result = try CLIProcess.run(["serve", "--port", String(CLIProcess.freePort()), "--data-dir", file.appendingPathComponent("data").path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot create data directory"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
