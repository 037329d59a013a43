import Foundation
import Testing
import TesseraCore
import TesseraStore

/// Every request to an OAuth endpoint leaves an event that says what happened; metrics and health.
@Suite struct DiagnosabilityTests {
    @Test func aFailureIsAnEventFoundByRequestIDWithTesseraLogs() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.privateKeyJWT)
            let answer = try await deployment.http { http in
                try await http.post("/oauth2/default/v1/token", form: [("grant_type", "client_credentials"), ("client_id", client.id)],
                                    headers: [.userAgent: "scenario-2/1.0"])
            }
            let requestID = try #require(answer.json["request_id"] as? String)
            let events = try await deployment.events(EventQuery(requestID: requestID))
            let event = try #require(events.first)
            #expect(events.count == 1)
            #expect(event.endpoint == "token")
            #expect(event.server == "default")
            #expect(event.clientID == client.id)
            #expect(event.outcome == .failure)
            #expect(event.reason == ReasonCode.assertionMissing.rawValue)
            #expect(event.message == answer.description)
            #expect(event.userAgent == "scenario-2/1.0")

            let cli = try CLIProcess.run(["logs", "--data-dir", deployment.directory.path, "--request-id", requestID, "--json"])
            #expect(cli.status == 0, "\(cli.stderr)")
            let line = CLIProcess.json(cli.stdout)
            #expect(line["reason"] as? String == "client_auth.assertion_missing")
            #expect(line["request_id"] as? String == requestID)
            let human = try CLIProcess.run(["logs", "--data-dir", deployment.directory.path, "--outcome", "failure", "--since", "1h"])
            #expect(human.stdout.contains("client_auth.assertion_missing"))
            #expect(human.stdout.contains("[request \(requestID)]"))
        }
    }

    @Test func anEventOverARealSocketRecordsTheCallersAddress() async throws {
        try await LiveServer.with { deployment, base in
            // The JWKS served, and a JWKS refused (unknown server, 404): both are events of the keys endpoint.
            #expect(await ServeProcessTests.get(base + "/oauth2/default/v1/keys")?.0 == 200)
            #expect(await ServeProcessTests.get(base + "/oauth2/nowhere/v1/keys")?.0 == 404)
            let events = try await deployment.events()
            #expect(events.map(\.outcome) == [.success, .failure])
            #expect(events.allSatisfy { $0.remoteAddress == "127.0.0.1" }, "\(events.map(\.remoteAddress))")
        }
    }

    @Test func storeLatencyIsLabelledWithTheStatementsFirstWord() {
        #expect(SQLStatementKind.of("\n            INSERT INTO events (time) VALUES (?)") == "INSERT")
        #expect(SQLStatementKind.of("select id from clients") == "SELECT")
        #expect(SQLStatementKind.of("PRAGMA data_version") == "PRAGMA")
        #expect(SQLStatementKind.of("DELETE\tFROM events") == "DELETE")
        #expect(SQLStatementKind.of("  ") == "")
    }

    @Test func requestIDsAreUniqueURLSafeAndSortInTimeOrder() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let ids = (0..<200).map { TimeOrderedID.next(now: start.addingTimeInterval(Double($0) / 100)) }
        #expect(Set(ids).count == ids.count)
        #expect(ids == ids.sorted(), "ids made later sort later (the event log's request-id index is appended to)")
        #expect(ids.allSatisfy { $0.count == 24 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } })
        #expect(ids[0].hasPrefix("01a3185c5000"), "12 hex digits of milliseconds, zero-padded")
        let sameMillisecond = (0..<100).map { _ in TimeOrderedID.next(now: start) }
        #expect(Set(sameMillisecond).count == 100, "the per-process counter keeps ids of one millisecond apart")
        #expect(sameMillisecond == sameMillisecond.sorted(), "and in the order they were made")
        #expect(Set(sameMillisecond.map { $0.dropFirst(12).prefix(6) }).count == 1, "one process mark per process")
    }

    @Test func everyOAuthEndpointLeavesOneEventIncludingInactiveIntrospection() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretPost)
            let token = try await IntrospectionTests.token(deployment, client, scope: "orders.read")
            try await deployment.http { http in
                let auth = [("client_id", client.id), ("client_secret", client.secret ?? "")]
                _ = try await http.get("/oauth2/default/v1/keys")
                _ = try await http.get("/oauth2/default/.well-known/oauth-authorization-server?client_id=\(client.id)")
                _ = try await http.get("/oauth2/default/.well-known/oauth-authorization-server")
                _ = try await http.get("/healthz")
                _ = try await http.post("/oauth2/default/v1/introspect", form: [("token", token)] + auth)
                _ = try await http.post("/oauth2/default/v1/revoke", form: [("token", token)] + auth)
                _ = try await http.post("/oauth2/default/v1/introspect", form: [("token", token)] + auth)
            }
            let events = try await deployment.events()
            #expect(events.map(\.endpoint) == ["token", "keys", "discovery", "introspect", "revoke", "introspect"],
                    "discovery without client_id and health checks leave no event")
            let issued = try #require(events.first)
            #expect(issued.outcome == .success)
            #expect(issued.detail["scope_requested"] == "orders.read")
            #expect(issued.detail["scope_granted"] == "orders.read")
            let inactive = try #require(events.last)
            #expect(inactive.outcome == .success)
            #expect(inactive.reason == ReasonCode.tokenRevoked.rawValue)
            #expect(inactive.message.contains("{\"active\":false}"))
            #expect(inactive.detail["jti"]?.hasPrefix("AT.") == true)
        }
    }

    @Test func eventsNeverContainSecretsOrWholeTokens() async throws {
        try await TestDeployment.with { deployment in
            let basic = try await deployment.register(.clientSecretBasic)
            let jwtClient = try await deployment.register(.clientSecretJWT)
            let keyClient = try await deployment.register(.privateKeyJWT)
            let token = try await IntrospectionTests.token(deployment, basic)
            let goodAssertion = try await ClientKeyPair.signAssertion(deployment.claims(for: jwtClient.id), secret: jwtClient.secret ?? "")
            let badAssertion = try await #require(keyClient.key).signAssertion(deployment.claims(for: keyClient.id, audience: "https://wrong.example.com"))
            let wrongSecret = SecureRandom.token()
            try await deployment.http { http in
                _ = try await http.post("/oauth2/default/v1/token", form: [("grant_type", "client_credentials")], headers: HTTPDriver.basic(basic.id, wrongSecret))
                _ = try await http.post("/oauth2/default/v1/token", form: [("grant_type", "client_credentials"), ("client_assertion_type", HTTPDriver.assertionType), ("client_assertion", goodAssertion)])
                _ = try await http.post("/oauth2/default/v1/token", form: [("grant_type", "client_credentials"), ("client_assertion_type", HTTPDriver.assertionType), ("client_assertion", badAssertion)])
                _ = try await http.post("/oauth2/default/v1/token", form: [("grant_type", "client_credentials"), ("client_id", jwtClient.id), ("client_secret", jwtClient.secret ?? "")])
                _ = try await http.post("/oauth2/default/v1/introspect", form: [("token", token)], headers: HTTPDriver.basic(basic.id, basic.secret ?? ""))
                _ = try await http.post("/oauth2/default/v1/introspect", form: [("token", token + "x")], headers: HTTPDriver.basic(basic.id, basic.secret ?? ""))
            }
            let events = try await deployment.events()
            #expect(events.count == 7)
            let dump = String(decoding: try JSONEncoder().encode(events), as: UTF8.self)
            for secret in [basic.secret, jwtClient.secret, wrongSecret, token, goodAssertion, badAssertion, token + "x"].compactMap({ $0 }) {
                #expect(!dump.contains(secret), "an event contains a secret or a whole token")
            }
        }
    }

    @Test func fullQueueDropsEventsButRequestsSucceed() async throws {
        try await TestDeployment.with(eventQueueCapacity: 2) { deployment in
            let statuses = try await deployment.http { http in
                var statuses: [Int] = []
                for _ in 0..<5 { statuses.append(try await http.get("/oauth2/default/v1/keys").status) }
                return statuses
            }
            #expect(statuses == [200, 200, 200, 200, 200])
            #expect(deployment.runtime.events.dropped == 3)
            #expect(try await deployment.events().count == 2)
            let metrics = try await deployment.http { http in try await http.get("/metrics").text }
            #expect(metrics.contains("tessera_events_dropped_total 3"), "\(metrics)")
        }
    }

    @Test func metricsExposeRequestsTokensAndAuthFailures() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretPost)
            let metrics = try await deployment.http { http in
                for _ in 0..<3 { _ = try await http.post("/oauth2/default/v1/token", form: [("grant_type", "client_credentials"), ("client_id", client.id), ("client_secret", client.secret ?? "")]) }
                _ = try await http.post("/oauth2/default/v1/token", form: [("grant_type", "client_credentials"), ("client_id", client.id), ("client_secret", "nope")])
                _ = try await http.get("/healthz")
                return try await http.get("/metrics")
            }
            #expect(metrics.status == 200)
            #expect(metrics.header("Content-Type")?.hasPrefix("text/plain") == true)
            #expect(metrics.text.contains(#"tessera_requests_total{endpoint="token",outcome="success"} 3"#), "\(metrics.text)")
            #expect(metrics.text.contains(#"tessera_requests_total{endpoint="token",outcome="failure"} 1"#))
            #expect(metrics.text.contains(#"tessera_tokens_issued_total{server="default"} 3"#))
            #expect(metrics.text.contains(#"tessera_client_auth_failures_total{reason="client_auth.secret_invalid"} 1"#))
            #expect(metrics.text.contains(#"tessera_request_duration_seconds_bucket{endpoint="token",outcome="success""#))
            #expect(metrics.text.contains(#"tessera_requests_total{endpoint="healthz",outcome="success"} 1"#))
        }
    }

    @Test func retentionRemovesOldEvents() async throws {
        try await TestDeployment.with { deployment in
            _ = try await deployment.http { http in try await http.get("/oauth2/default/v1/keys") }
            _ = try await deployment.events()
            deployment.clock.advance(by: 31 * 86_400)
            _ = try await deployment.http { http in try await http.get("/oauth2/default/v1/keys") }
            _ = try await deployment.events()
            let removed = try await deployment.runtime.purgeEvents(olderThan: .seconds(30 * 86_400))
            #expect(removed == 1)
            #expect(try await deployment.events().count == 1)
        }
    }

    @Test func readinessFollowsTheStore() async throws {
        try await TestDeployment.with { deployment in
            let ready = try await deployment.http { http in try await http.get("/readyz") }
            #expect(ready.status == 200)
            await deployment.store.close()
            let (down, health) = try await deployment.http { http in (try await http.get("/readyz"), try await http.get("/healthz")) }
            #expect(down.status == 503)
            #expect(down.json["status"] as? String == "unavailable")
            #expect(health.status == 200, "the process still answers health checks")
        }
    }
}
