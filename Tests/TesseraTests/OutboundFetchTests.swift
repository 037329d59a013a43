import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing
@testable import TesseraCore
@testable import TesseraHTTP
import TesseraStore

/// `jwks_uri` fetches: SSRF refusals under the default policy, and hostile key hosts (slow, huge,
/// redirecting, not JSON, private keys, too many keys, wrong key types) each ending within the deadline
/// with a clear `invalid_client` reason, one fetch in flight per URI.
@Suite struct OutboundFetchTests {
    static func refusal(_ url: String, policy: OutboundPolicy = .strict) async -> String {
        do {
            _ = try await HTTPJWKSFetcher(policy: policy, deadline: .seconds(2)).fetchJWKS(from: url)
            return "fetched"
        } catch {
            return String(describing: error)
        }
    }

    @Test func theDefaultPolicyRefusesHTTPAndInternalAddressesBeforeConnecting() async {
        #expect(await Self.refusal("http://keys.example.com/jwks.json").contains("it is http; this server fetches https only"))
        #expect(await Self.refusal("ftp://keys.example.com/jwks.json").contains("scheme ftp is not https"))
        #expect(await Self.refusal("https://user:pw@keys.example.com/jwks.json").contains("user name or password"))
        let internalURLs = [
            ("https://127.0.0.1/jwks.json", "127.0.0.1, a loopback"), ("https://localhost:8443/jwks.json", "a loopback"),
            ("https://10.1.2.3/jwks.json", "a private"), ("https://172.20.0.1/jwks.json", "a private"), ("https://192.168.1.1/jwks.json", "a private"),
            ("https://169.254.169.254/latest/meta-data", "a link-local"), ("https://100.64.0.1/", "a shared (carrier-grade NAT)"),
            ("https://0.0.0.0/", "\"this network\""), ("https://[::1]/jwks.json", "a loopback"), ("https://[fe80::1]/", "a link-local"),
            ("https://[fd00::1]/", "a unique local (private)"), ("https://[::ffff:10.0.0.1]/", "a private"), ("https://224.0.0.1/", "a multicast"),
        ]
        for (url, words) in internalURLs {
            let refusal = await Self.refusal(url)
            #expect(refusal.contains("resolves to") && refusal.contains(words), "\(url): \(refusal)")
        }
    }

    @Test func publicAddressesAreNotMistakenForInternalOnes() {
        for address: UInt32 in [0x0808_0808, 0x0101_0101, 0xAC20_0001, 0xC0A9_0001, 0x6480_0001] {
            #expect(OutboundPolicy.nonPublicIPv4(address) == nil, "\(String(address, radix: 16))")
        }
        let google: [UInt8] = [0x20, 0x01, 0x48, 0x60, 0x48, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0x88, 0x88]
        #expect(OutboundPolicy.nonPublicIPv6(google) == nil)
        #expect(OutboundPolicy.nonPublicIPv6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 8, 8, 8, 8]) == nil, "IPv4-mapped 8.8.8.8")
    }

    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A key host that misbehaves in every way a hostile one can, on a live loopback socket.
    final class HostileKeyHost: Sendable {
        let key = P256.Signing.PrivateKey()
        let countedFetches = Mutex(0)
        /// Holds `/slow` and `/counted` answers until the test opens it (and always when the host stops).
        let gate = Gate()

        func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
            let router = Router()
            let valid = try ClientKeyPair(pem: key.pemRepresentation).jwksDocument(kid: "k1")
            router.get("/slow") { _, _ -> Response in
                Response(status: .ok, body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "{\"keys\":["))
                    await self.gate.wait()  // the rest never comes while the fetch waits; it gives up after 1 s
                    try await writer.finish(nil)
                })
            }
            router.get("/huge") { _, _ -> Response in
                Response(status: .ok, body: ResponseBody { writer in
                    for _ in 0..<64 { try await writer.write(ByteBuffer(repeating: UInt8(ascii: " "), count: 65_536)) }
                    try await writer.finish(nil)
                })
            }
            router.get("/redirect") { _, _ -> Response in Response(status: .found, headers: [.location: "/redirect"]) }
            router.get("/html") { _, _ -> Response in OutboundFetchTests.json("<html>not a key set</html>") }
            router.get("/private") { _, _ -> Response in
                OutboundFetchTests.json(valid.replacingOccurrences(of: "\"kid\":\"k1\"", with: "\"kid\":\"k1\",\"d\":\"c2VjcmV0\""))
            }
            router.get("/many") { _, _ -> Response in
                let one = #"{"kty":"EC","crv":"P-256","kid":"kN","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#
                return OutboundFetchTests.json(#"{"keys":["# + (0..<150).map { one.replacingOccurrences(of: "kN", with: "k\($0)") }.joined(separator: ",") + "]}")
            }
            router.get("/symmetric") { _, _ -> Response in OutboundFetchTests.json(#"{"keys":[{"kty":"oct","kid":"k1","alg":"HS256"}]}"#) }
            router.get("/counted") { _, _ -> Response in
                self.countedFetches.withLock { $0 += 1 }
                await self.gate.wait()  // the fetch stays in flight until the other requests are waiting for it
                return OutboundFetchTests.json(valid)
            }
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            return try await app.test(.live) { client in
                defer { self.gate.open() }  // no answer is held once the test is done, so the host stops at once
                return try await body("http://127.0.0.1:\(try #require(client.port))")
            }
        }
    }

    @Test func hostileKeyHostsEndWithinTheDeadlineWithAReason() async throws {
        let host = HostileKeyHost()
        try await host.run { base in
            let fetcher = HTTPJWKSFetcher(policy: .development, deadline: .seconds(1))
            try await TestDeployment.with(fetcher: fetcher) { deployment in
                let cases: [(String, String)] = [
                    ("/slow", "did not answer in full within 1.0 s"),
                    ("/huge", "larger than 65536 bytes"),
                    ("/redirect", "HTTP 302 to /redirect; redirects are not followed"),
                    ("/html", "did not return a usable JWKS document: expected {\"keys\":[…]} with EC, RSA or OKP public keys (the body is not JSON: invalid JSON at byte 0: expected a value)"),
                    ("/private", "includes private key members"),
                    ("/many", "holds 150 keys; at most 100"),
                    ("/symmetric", "member keys[0].kty has a value this server does not support"),
                ]
                for (route, words) in cases {
                    let created = try await deployment.admin.createClient(server: "default", name: route, method: .privateKeyJWT, jwksURI: base + route)
                    let id = created.client.id
                    let endpoint = deployment.defaultURLs.tokenEndpoint
                    let assertion = try HandMadeJWS.es256(header: #"{"alg":"ES256","kid":"k1"}"#,
                                                          claims: HostileInputTests.claims(id, audience: endpoint, now: deployment.clock.now), key: host.key)
                    let started = ContinuousClock.now
                    let answer = try await HostileInputTests.post(deployment, endpoint, assertion: assertion, extra: [("grant_type", "client_credentials")])
                    #expect(ContinuousClock.now - started < .seconds(3), "\(route) must end within the fetch deadline")
                    BadInputTests.expectRejection(answer, status: 400, error: "invalid_client", mentioning: words)
                }
            }
        }
    }

    @Test(.timeLimit(.minutes(1))) func concurrentAssertionsShareOneFetchInFlight() async throws {
        let host = HostileKeyHost()
        try await host.run { base in
            try await TestDeployment.with { deployment in
                let created = try await deployment.admin.createClient(server: "default", name: "counted", method: .privateKeyJWT,
                                                                      jwksURI: base + "/counted", scopes: ["orders.read"])
                let id = created.client.id
                let endpoint = deployment.defaultURLs.tokenEndpoint
                let keySource = deployment.runtime.keySource
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    group.addTask {
                        // The host answers once the seven other lookups wait for the first one's fetch.
                        await keySource.waitForSharedFetchWaits(7)
                        host.gate.open()
                        return 0
                    }
                    for _ in 0..<8 {
                        let assertion = try HandMadeJWS.es256(header: #"{"alg":"ES256","kid":"k1"}"#,
                                                              claims: HostileInputTests.claims(id, audience: endpoint, now: deployment.clock.now), key: host.key)
                        group.addTask {
                            try await HostileInputTests.post(deployment, endpoint, assertion: assertion, extra: [("grant_type", "client_credentials")]).status
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.filter { $0 != 0 } == Array(repeating: 200, count: 8))
                #expect(keySource.sharedFetchWaits == 7)
                #expect(host.countedFetches.withLock { $0 } == 1, "eight requests at once, one fetch")
            }
        }
    }
}

/// Suspends waiters until it is opened once; a waiter arriving after that does not wait.
final class Gate: Sendable {
    private let state = Mutex<(opened: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                if state.opened { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.opened = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
