import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import Testing
import TesseraCore
@testable import TesseraHTTP
import TesseraJSON
import TesseraStore

/// Scenario 12: past its limit a client gets 429 with `Retry-After` and a description naming the limit,
/// other clients are unaffected, buckets refill with the (injected) clock, repeated failed
/// authentications lock a client id for the address they come from only, forwarding headers count
/// only from trusted proxies, and a flood of addresses keeps memory bounded.
@Suite struct RateLimitTests {
    static func tokenForm(_ client: TestDeployment.RegisteredClient, secret: String? = nil) -> [(String, String)] {
        [("grant_type", "client_credentials"), ("client_id", client.id), ("client_secret", secret ?? client.secret ?? "")]
    }

    @Test func theRequestPastTheClientLimitIs429WithRetryAfterWhileAnotherClientIsUnaffected() async throws {
        let policy = RateLimitPolicy(perClient: RateLimit(requests: 3, period: 60), perAddress: nil, lockoutThreshold: 0)
        try await TestDeployment.with(rateLimits: policy) { deployment in
            let busy = try await deployment.register(.clientSecretPost)
            let other = try await deployment.register(.clientSecretPost)
            let token = path(deployment.defaultURLs.tokenEndpoint)
            try await deployment.http { http async throws in
                for _ in 0..<3 { #expect(try await http.post(token, form: Self.tokenForm(busy)).status == 200) }
                let refused = try await http.post(token, form: Self.tokenForm(busy))
                #expect(refused.status == 429)
                #expect(refused.headers[.retryAfter] == "20", "one request per 20 s refills a 3/min bucket")
                let body = try JSONReader.object(in: refused.text)
                #expect(body["error"] == .string("temporarily_unavailable"))
                #expect(body["error_description"]?.string == "client \(busy.id) is limited to 3 requests per minute on this server (the deployment's default); retry after 20 s")
                #expect(body["request_id"]?.string?.isEmpty == false)
                #expect(try await http.post(token, form: Self.tokenForm(other)).status == 200, "another client keeps its own bucket")
                let metrics = try await http.get("/metrics").text
                #expect(metrics.contains(#"tessera_rate_limited_total{endpoint="token",limit="rate_limit.client"} 1"#) || metrics.contains(#"tessera_rate_limited_total{limit="rate_limit.client",endpoint="token"} 1"#), "\(metrics.split(separator: "\n").filter { $0.contains("rate_limited") })")
            }
            let events = try await deployment.events(EventQuery(clientID: busy.id, limit: 10))
            #expect(events.map(\.reason) == [nil, nil, nil, "rate_limit.client"])
            #expect(events.last?.detail["limit"] == "3/min")
        }
    }

    @Test func theBucketRefillsAsTheInjectedClockMoves() async throws {
        let policy = RateLimitPolicy(perClient: RateLimit(requests: 2, period: 1), perAddress: nil, lockoutThreshold: 0)
        try await TestDeployment.with(rateLimits: policy) { deployment in
            let client = try await deployment.register(.clientSecretPost)
            let introspect = path(deployment.defaultURLs.introspectionEndpoint)
            let form = [("token", "not-a-token"), ("client_id", client.id), ("client_secret", client.secret ?? "")]
            try await deployment.http { http async throws in
                #expect(try await http.post(introspect, form: form).status == 200)
                #expect(try await http.post(introspect, form: form).status == 200)
                #expect(try await http.post(introspect, form: form).status == 429)
                deployment.clock.advance(by: 0.5)
                #expect(try await http.post(introspect, form: form).status == 200, "half a second refills one of two tokens per second")
                #expect(try await http.post(introspect, form: form).status == 429)
                deployment.clock.advance(by: 3600)
                for _ in 0..<2 { #expect(try await http.post(introspect, form: form).status == 200, "a bucket holds no more than its size") }
                #expect(try await http.post(introspect, form: form).status == 429)
            }
        }
    }

    @Test func aClientsOwnLimitWinsOverItsServersWhichWinsOverTheDeployments() async throws {
        let policy = RateLimitPolicy(perClient: RateLimit(requests: 100, period: 1), perAddress: nil, lockoutThreshold: 0)
        try await TestDeployment.with(rateLimits: policy) { deployment in
            let own = try await deployment.register(.clientSecretPost)
            let inherits = try await deployment.register(.clientSecretPost)
            _ = try await deployment.admin.updateServer(name: "default", rateLimit: RateLimit(requests: 2, period: 60))
            _ = try await deployment.admin.setRateLimit(clientID: own.id, RateLimit(requests: 1, period: 3600))
            deployment.runtime.directory.invalidateAll()
            let token = path(deployment.defaultURLs.tokenEndpoint)
            try await deployment.http { http async throws in
                #expect(try await http.post(token, form: Self.tokenForm(own)).status == 200)
                let ownRefusal = try await http.post(token, form: Self.tokenForm(own))
                #expect(ownRefusal.status == 429 && ownRefusal.text.contains("1 request per hour on this server (its own limit)"), "\(ownRefusal.text)")
                #expect(ownRefusal.headers[.retryAfter] == "3600")
                for _ in 0..<2 { #expect(try await http.post(token, form: Self.tokenForm(inherits)).status == 200) }
                let serverRefusal = try await http.post(token, form: Self.tokenForm(inherits))
                #expect(serverRefusal.status == 429 && serverRefusal.text.contains("2 requests per minute on this server (the limit of server default)"), "\(serverRefusal.text)")
            }
        }
    }

    /// An attacker at one address guessing a client's secret locks the client id for that address only:
    /// the client, calling from its own address, is served throughout; the lock ends with the clock, the
    /// next one lasts twice as long, and a success from the address starts over.
    @Test func failedAuthenticationsLockTheClientIDForTheirAddressOnly() async throws {
        let policy = RateLimitPolicy(perClient: nil, perAddress: nil, lockoutThreshold: 5, failureWindow: 300, lockoutDuration: 60, maximumLockout: 900)
        try await LiveServer.with(rateLimits: policy, trustedProxies: [try IPNetwork(parsing: "127.0.0.1")]) { deployment, base in
            let client = try await deployment.register(.clientSecretPost)
            let token = deployment.defaultURLs.tokenEndpoint
            func post(from address: String, secret: String? = nil) async throws -> (Int, HTTPHeaders, String) {
                try await Self.post(token, form: Self.tokenForm(client, secret: secret), headers: [("X-Forwarded-For", address)])
            }
            for _ in 0..<5 { #expect(try await post(from: "203.0.113.7", secret: "guess").0 == 400, "a wrong secret in the body is invalid_client (400)") }
            let locked = try await post(from: "203.0.113.7")
            #expect(locked.0 == 429, "even the right secret is refused from the locked address")
            #expect(locked.1.first(name: "Retry-After") == "60")
            let description = try JSONReader.object(in: locked.2)["error_description"]?.string ?? ""
            #expect(description.hasPrefix("client \(client.id) is locked from 203.0.113.7 for another 60 s after 5 failed authentications"), "\(description)")
            #expect(try await post(from: "198.51.100.2").0 == 200, "the client's own address is not locked")

            deployment.clock.advance(by: 61)
            for _ in 0..<5 { #expect(try await post(from: "203.0.113.7", secret: "guess").0 == 400, "the lock ended") }
            let again = try await post(from: "203.0.113.7")
            #expect(again.0 == 429 && again.1.first(name: "Retry-After") == "120", "the second lock lasts twice as long")

            deployment.clock.advance(by: 121)
            #expect(try await post(from: "203.0.113.7").0 == 200, "the lock ends")
            for _ in 0..<5 { #expect(try await post(from: "203.0.113.7", secret: "guess").0 == 400) }
            #expect(try await post(from: "203.0.113.7").1.first(name: "Retry-After") == "60", "a success there forgot the failures and the doubling")

            let events = try await deployment.events(EventQuery(clientID: client.id, limit: 100))
            #expect(events.filter { $0.reason == "client_auth.locked_out" }.count == 3)
            #expect(events.filter { $0.reason == "client_auth.secret_invalid" }.allSatisfy { $0.remoteAddress == "203.0.113.7" })
            #expect(events.contains { $0.remoteAddress == "198.51.100.2" && $0.outcome == .success && $0.detail["proxy"] == "127.0.0.1" })
        }
    }

    @Test func theAddressLimitCountsEveryRequestOfAnAddressWhateverItAuthenticatesAs() async throws {
        let policy = RateLimitPolicy(perClient: nil, perAddress: RateLimit(requests: 3, period: 1), lockoutThreshold: 0)
        try await LiveServer.with(rateLimits: policy) { deployment, base in
            let first = try await deployment.register(.clientSecretPost)
            let second = try await deployment.register(.clientSecretPost)
            let token = deployment.defaultURLs.tokenEndpoint
            #expect(try await Self.post(token, form: Self.tokenForm(first)).0 == 200)
            #expect(try await Self.post(token, form: Self.tokenForm(second)).0 == 200)
            #expect(try await Self.post(token, form: [("grant_type", "client_credentials")]).0 == 400)
            let refused = try await Self.post(token, form: Self.tokenForm(first), headers: [("X-Forwarded-For", "198.51.100.1")])
            #expect(refused.0 == 429 && refused.2.contains("address 127.0.0.1 is limited to 3 requests per second; retry after 1 s"),
                    "a spoofed X-Forwarded-For from an untrusted peer changes nothing: \(refused.2)")
            #expect(refused.1.first(name: "Retry-After") == "1")
            let event = try #require(try await deployment.events(EventQuery(reason: "rate_limit.address", limit: 1)).first)
            #expect(event.remoteAddress == "127.0.0.1")
            #expect(event.detail["forwarded_ignored"] == "X-Forwarded-For/Forwarded ignored: no --trusted-proxy is configured")
        }
    }

    @Test func forwardingHeadersNameTheCallerOnlyWhenATrustedProxySendsThem() throws {
        let proxies = [try IPNetwork(parsing: "10.0.0.0/8"), try IPNetwork(parsing: "fd00::/8")]
        func resolve(_ peer: String, _ fields: [(String, String)]) -> ClientAddress {
            var headers = HTTPFields()
            for (name, value) in fields { headers.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
            return ClientAddress.resolve(peer: peer, headers: headers, trusted: proxies)
        }
        #expect(resolve("203.0.113.9", []) == ClientAddress(address: "203.0.113.9", detail: [:]))
        let spoofed = resolve("203.0.113.9", [("X-Forwarded-For", "198.51.100.1")])
        #expect(spoofed.address == "203.0.113.9", "a header from an untrusted peer is ignored")
        #expect(spoofed.detail["forwarded_ignored"] == "X-Forwarded-For/Forwarded ignored: 203.0.113.9 is not a --trusted-proxy")
        #expect(resolve("10.1.2.3", [("X-Forwarded-For", "198.51.100.1, 10.9.9.9")]) == ClientAddress(address: "198.51.100.1", detail: ["proxy": "10.1.2.3"]),
                "trusted hops are skipped from the right")
        #expect(resolve("10.1.2.3", [("X-Forwarded-For", "6.6.6.6, 198.51.100.1")]).address == "198.51.100.1",
                "what the client wrote before the first untrusted hop is not believed")
        #expect(resolve("10.1.2.3", [("X-Forwarded-For", "198.51.100.1"), ("X-Forwarded-For", "10.0.0.2")]).address == "198.51.100.1")
        #expect(resolve("fd00::1", [("Forwarded", #"for="[2001:db8::7]:4711";proto=https, for=10.0.0.5"#)]).address == "2001:db8::7")
        #expect(resolve("10.1.2.3", [("Forwarded", "for=192.0.2.60:8080;by=10.0.0.1")]).address == "192.0.2.60")
        let garbage = resolve("10.1.2.3", [("X-Forwarded-For", "198.51.100.1, not-an-ip")])
        #expect(garbage.address == "10.1.2.3" && garbage.detail["forwarded_ignored"]?.contains("not-an-ip") == true)
        #expect(ClientAddress.resolve(peer: "203.0.113.9", headers: [ClientAddress.forwardedFor: "1.2.3.4"], trusted: []).detail["forwarded_ignored"]?
                    .contains("no --trusted-proxy is configured") == true)
    }

    @Test func aFloodOfMadeUpAddressesAndClientIDsKeepsTheTablesBounded() throws {
        let clock = ManualWallClock()
        let limiter = RateLimiter(policy: RateLimitPolicy(perClient: RateLimit(requests: 1, period: 1), perAddress: RateLimit(requests: 1, period: 1),
                                                          lockoutThreshold: 3, trackedEntries: 10_000), clock: clock)
        for index in 0..<1_000_000 {
            let address = "10.\(index >> 16 & 0xFF).\(index >> 8 & 0xFF).\(index & 0xFF)"
            try? limiter.admit(address: address)
            limiter.recordFailure(clientID: "made-up-\(index)", address: address)
        }
        let counts = limiter.trackedCounts
        #expect(counts.addresses <= 10_000 && counts.failures <= 10_000, "\(counts)")
        #expect(counts.addresses >= 5_000, "the most recent half stays tracked")
        // The most recent address is still limited: its state survived the flood.
        #expect(throws: OAuthError.self) { try limiter.admit(address: "10.15.66.63") }
    }

    @Test func limitsThatDoNotParseAreRefusedWithTheReason() throws {
        for (text, reason) in [("0/s", "at least 1 request"), ("-1/s", "at least 1 request"), ("10/fortnight", "\"fortnight\" is not a period; use s, min or h"),
                               ("fast", "write requests/period"), ("x/s", "is not a whole number"), ("5/s/s", "write requests/period"),
                               ("2000000000/s", "at most 1000000000")] {
            #expect(throws: RateLimitError.self, "\(text)") { try RateLimit(parsing: text) }
            do { _ = try RateLimit(parsing: text) } catch { #expect(error.description.contains(reason), "\(text): \(error.description)") }
        }
        #expect(try RateLimit(parsing: "50/s") == RateLimit(requests: 50, period: 1))
        #expect(try RateLimit(parsing: "600/min").description == "600/min")
        #expect(try RateLimit(parsing: "10000/hour") == RateLimit(requests: 10_000, period: 3600))
        for bad in ["10.0.0.0/33", "10.0.0/8", "proxy.example.com", "::1/129", "10.0.0.0/x", ""] {
            #expect(throws: IPNetworkError.self, "\(bad)") { try IPNetwork(parsing: bad) }
        }
        #expect((try? IPNetwork(parsing: "192.0.2.0/24"))?.contains("192.0.2.200") == true)
        #expect((try? IPNetwork(parsing: "192.0.2.0/24"))?.contains("192.0.3.1") == false)
        #expect((try? IPNetwork(parsing: "2001:db8::/32"))?.contains("2001:db8:ffff::1") == true)
        #expect((try? IPNetwork(parsing: "2001:db8::/32"))?.contains("192.0.2.1") == false)
    }

    static func post(_ url: String, form: [(String, String)], headers: [(String, String)] = []) async throws -> (Int, HTTPHeaders, String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: HTTPDriver.encode(form)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), response.headers, String(buffer: body))
    }
}
