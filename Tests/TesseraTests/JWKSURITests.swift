import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing
import TesseraCore
import TesseraStore

/// private_key_jwt with keys served from a real `jwks_uri` (a live HTTP server on loopback).
@Suite struct JWKSURITests {
    /// A live server whose `/jwks.json` answers whatever `document` holds, counting fetches.
    final class KeyHost: Sendable {
        let document = Mutex<String>("{\"keys\":[]}")
        let fetches = Mutex(0)

        func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
            let router = Router()
            router.get("/jwks.json") { _, _ -> Response in
                self.fetches.withLock { $0 += 1 }
                let text = self.document.withLock { $0 }
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
            }
            router.get("/missing") { _, _ -> Response in Response(status: .notFound) }
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            return try await app.test(.live) { client in
                try await body("http://127.0.0.1:\(try #require(client.port))")
            }
        }
    }

    func tokenRequest(_ deployment: TestDeployment, _ assertion: String) async throws -> HTTPDriver.Answer {
        try await deployment.http { http in
            try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: [
                ("grant_type", "client_credentials"), ("client_assertion_type", HTTPDriver.assertionType), ("client_assertion", assertion),
            ])
        }
    }

    @Test func keysAreFetchedCachedAndRefetchedOnceOnAnUnknownKid() async throws {
        let host = KeyHost()
        try await host.run { base in
            try await TestDeployment.with { deployment in
                let first = try ClientKeyPair.generate(.es256)
                host.document.withLock { $0 = first.jwksDocument() }
                let created = try await deployment.admin.createClient(server: "default", name: "remote", method: .privateKeyJWT,
                                                                      jwksURI: base + "/jwks.json", scopes: ["orders.read"])
                let id = created.client.id
                let a = try await tokenRequest(deployment, try await first.signAssertion(deployment.claims(for: id)))
                let b = try await tokenRequest(deployment, try await first.signAssertion(deployment.claims(for: id)))
                #expect(a.status == 200, "\(a.text)")
                #expect(b.status == 200, "\(b.text)")
                #expect(host.fetches.withLock { $0 } == 1, "the second request must use the cached document")

                let rotated = try ClientKeyPair.generate(.es256)
                host.document.withLock { $0 = rotated.jwksDocument() }
                let c = try await tokenRequest(deployment, try await rotated.signAssertion(deployment.claims(for: id)))
                #expect(c.status == 200, "a new kid triggers one refetch: \(c.text)")
                #expect(host.fetches.withLock { $0 } == 2)

                let throttled = try await tokenRequest(deployment, try await rotated.signAssertion(deployment.claims(for: id), kid: "bogus-0"))
                #expect(throttled.error == "invalid_client")
                #expect(host.fetches.withLock { $0 } == 2, "a refetch just happened; the next waits for the interval")
                deployment.clock.advance(by: 11)
                let bogus = try await tokenRequest(deployment, try await rotated.signAssertion(deployment.claims(for: id), kid: "bogus-1"))
                let bogus2 = try await tokenRequest(deployment, try await rotated.signAssertion(deployment.claims(for: id), kid: "bogus-2"))
                #expect(bogus.error == "invalid_client")
                #expect(bogus.description.contains("\"bogus-1\""))
                #expect(bogus2.description.contains("\"bogus-2\""))
                #expect(host.fetches.withLock { $0 } == 3, "unknown kids refetch at most once per interval")
            }
        }
    }

    @Test func unreachableOrInvalidJWKSURIIsExplained() async throws {
        let host = KeyHost()
        try await host.run { base in
            try await TestDeployment.with { deployment in
                let key = try ClientKeyPair.generate(.es256)
                let missing = try await deployment.admin.createClient(server: "default", name: "missing", method: .privateKeyJWT, jwksURI: base + "/missing")
                let oversized = try await deployment.admin.createClient(server: "default", name: "big", method: .privateKeyJWT, jwksURI: base + "/jwks.json")
                host.document.withLock { $0 = "{\"keys\":[" + String(repeating: " ", count: 70_000) + "]}" }
                let notFound = try await tokenRequest(deployment, try await key.signAssertion(deployment.claims(for: missing.client.id)))
                let tooBig = try await tokenRequest(deployment, try await key.signAssertion(deployment.claims(for: oversized.client.id)))
                #expect(notFound.status == 400)
                #expect(notFound.description.contains("HTTP 404"), "\(notFound.description)")
                #expect(tooBig.status == 400)
                #expect(tooBig.description.contains("larger than"), "\(tooBig.description)")
            }
        }
    }
}
