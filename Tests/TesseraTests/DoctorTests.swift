import Foundation
import Testing
import TesseraCore

/// `tessera doctor` against a live server: ✓ for a healthy client, and each classic mistake named.
@Suite(.serialized) struct DoctorTests {
    @Test func doctorPassesAHealthyClientAndNamesEachMistake() async throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data").path
        let port = CLIProcess.freePort()
        let issuer = "http://127.0.0.1:\(port)/oauth2/default"
        let server = try CLIProcess.start(["serve", "--port", String(port), "--data-dir", data], stderr: dir.appendingPathComponent("serve.log"))
        defer { server.terminate(); server.waitUntilExit() }
        try await ServeProcessTests.waitUntilHealthy("http://127.0.0.1:\(port)")

        let admin = ["--data-dir", data]
        #expect(try CLIProcess.run(["scopes", "create", "--server", "default", "orders.read"] + admin).status == 0)
        #expect(try CLIProcess.run(["scopes", "create", "--server", "default", "orders.write"] + admin).status == 0)
        let pem = dir.appendingPathComponent("client.pem").path
        let jwks = dir.appendingPathComponent("client.jwks.json").path
        #expect(try CLIProcess.run(["keygen", "--private-key", pem, "--jwks", jwks]).status == 0)
        let keyClient = try #require(CLIProcess.json(try CLIProcess.run(["clients", "create", "--server", "default", "--name", "svc", "--auth-method", "private_key_jwt",
                                                                         "--jwks-file", jwks, "--scope", "orders.read", "--json"] + admin).stdout)["client_id"] as? String)
        let secretCreated = CLIProcess.json(try CLIProcess.run(["clients", "create", "--server", "default", "--name", "basic", "--auth-method", "client_secret_basic",
                                                                "--json"] + admin).stdout)
        let secretClient = try #require(secretCreated["client_id"] as? String)
        let secret = try #require(secretCreated["client_secret"] as? String)
        let strangerKey = dir.appendingPathComponent("stranger.pem").path
        #expect(try CLIProcess.run(["keygen", "--private-key", strangerKey, "--jwks", dir.appendingPathComponent("stranger.jwks").path]).status == 0)
        try await ServeProcessTests.waitUntilServerKnows(client: keyClient, issuer: issuer)
        try await ServeProcessTests.waitUntilServerKnows(client: secretClient, issuer: issuer)

        func doctor(_ arguments: [String]) throws -> CLIProcess.Result {
            try CLIProcess.run(["doctor", "--issuer", issuer] + arguments)
        }
        let healthy = try doctor(["--client-id", keyClient, "--private-key", pem, "--scope", "orders.read", "--data-dir", data])
        #expect(healthy.status == 0, "\(healthy.stdout)\(healthy.stderr)")
        for step in ["discovery", "credentials", "registered key", "clock", "token request", "introspection of the new token"] {
            #expect(healthy.stdout.contains("✓ \(step)"), "\(step): \(healthy.stdout)")
        }
        #expect(!healthy.stdout.contains("✗"))

        let cases: [(String, [String], String)] = [
            ("wrong method", ["--client-id", secretClient, "--private-key", pem], "✗ credentials: wrong method"),
            ("missing assertion type", ["--client-id", keyClient, "--private-key", pem, "--no-assertion-type"], "without client_assertion_type"),
            ("aud aimed at the wrong endpoint", ["--client-id", keyClient, "--private-key", pem, "--audience", issuer + "/v1/userinfo"], "aud must be one of"),
            ("key not registered", ["--client-id", keyClient, "--private-key", strangerKey], "not among client"),
            ("key not registered (registration read)", ["--client-id", keyClient, "--private-key", strangerKey, "--data-dir", data], "✗ registered key: key not registered"),
            ("clock skew", ["--client-id", keyClient, "--private-key", pem, "--clock-offset", "600"], "✗ clock: clock skew"),
            ("scope not granted", ["--client-id", keyClient, "--private-key", pem, "--scope", "orders.write"], "may not request scope \"orders.write\""),
        ]
        for (name, arguments, expected) in cases {
            let result = try doctor(arguments)
            #expect(result.status == 1, "\(name) should fail: \(result.stdout)")
            #expect(result.stdout.contains(expected), "\(name): \(result.stdout)")
            #expect(result.stdout.contains("✗"), "\(name)")
            #expect(result.stderr.isEmpty, "\(name): the report is the output: \(result.stderr)")
        }
        let skewed = try doctor(["--client-id", keyClient, "--private-key", pem, "--clock-offset", "600"])
        #expect(skewed.stdout.contains("request id"), "server failures carry the request id: \(skewed.stdout)")

        // Wrong secrets from this address lock the client id here once 20 failed (the default --lockout-after;
        // the "wrong method" case above was one of them).
        let token = "http://127.0.0.1:\(port)/oauth2/default/v1/token"
        var refusedWith401 = 0
        while refusedWith401 < 20 {
            let wrong = try await RateLimitTests.post(token, form: [("grant_type", "client_credentials")],
                                                      headers: [("Authorization", HTTPDriver.basic(secretClient, "not-the-secret")[.authorization] ?? "")])
            if wrong.0 == 429 { break }
            #expect(wrong.0 == 401)
            refusedWith401 += 1
        }
        #expect((1..<20).contains(refusedWith401), "the lock starts with the 20th failure, the doctor runs above included: \(refusedWith401)")
        let locked = try doctor(["--client-id", secretClient, "--client-secret", secret])
        #expect(locked.status == 1)
        // The lock is 60 s from the 20th failure; a slow machine may take a second or more to get the doctor there.
        let lockLine = locked.stdout.split(separator: "\n").first { $0.hasPrefix("✗ token request: temporarily_unavailable: client \(secretClient) is locked from 127.0.0.1 for another ") }
        #expect(lockLine?.contains(" s after 20 failed authentications") == true, "\(locked.stdout)")
        let remaining = lockLine.flatMap { Int($0.split(separator: "for another ").last?.split(separator: " ").first ?? "") }
        #expect(remaining.map { (50...60).contains($0) } == true, "\(locked.stdout)")
    }
}
