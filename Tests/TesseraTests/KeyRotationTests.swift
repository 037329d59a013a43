import Crypto
import Foundation
import JWTKit
import Testing
import TesseraCore
import TesseraJSON
import TesseraJWT
import TesseraStore

/// Server keys rotate without an outage, with an injected clock: a new key is published before it signs
/// (so caches hold it when the first token names it), the old one keeps verifying what it signed and
/// retires by itself once those tokens expired, the JWKS shows next, current and previous keys at the
/// right times with an `ETag`, and the refusals say what to do.
@Suite struct KeyRotationTests {
    static func kid(of token: String) throws -> String? {
        try ParsedJWT<AccessTokenPayload>(parsing: token).header.kid
    }

    @Test func aNewKeyIsPublishedFirstSignsAfterTheDelayAndTheOldOneRetiresOnceItsTokensExpired() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretBasic)
            let form = [("grant_type", "client_credentials")]
            let oldKid = try #require(try await deployment.admin.keys(server: "default").first?.key.kid)
            try await deployment.http { http async throws in
                func token() async throws -> String {
                    let answer = try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: form, headers: HTTPDriver.basic(client.id, client.secret ?? ""))
                    return try #require(try JSONReader.object(in: answer.text)["access_token"]?.string, "\(answer.text)")
                }
                func jwksKids() async throws -> [String] {
                    let answer = try await http.get(path(deployment.defaultURLs.jwksURI))
                    guard case .array(let keys)? = try JSONReader.object(in: answer.text)["keys"] else { return [] }
                    return keys.compactMap { if case .object(let key) = $0 { key["kid"]?.string } else { nil } }
                }
                func active(_ token: String) async throws -> Bool {
                    let answer = try await http.post(path(deployment.defaultURLs.introspectionEndpoint), form: [("token", token)],
                                                     headers: HTTPDriver.basic(client.id, client.secret ?? ""))
                    return try JSONReader.object(in: answer.text)["active"] == .bool(true)
                }

                let newKey = try await deployment.admin.rotateKey(server: "default", publishDelay: 300)
                deployment.runtime.directory.invalidateAll()
                #expect(try await jwksKids() == [oldKid, newKey.kid], "the new key is published at once, the current one listed first")
                #expect(try await deployment.admin.keys(server: "default").map(\.state) == [.next, .current])
                let beforeSwitch = try await token()
                #expect(try Self.kid(of: beforeSwitch) == oldKid, "the new key does not sign before the publish delay")

                deployment.clock.advance(by: 301)
                #expect(try Self.kid(of: try await token()) == newKey.kid)
                #expect(try await jwksKids() == [newKey.kid, oldKid], "the previous key is still published")
                #expect(try await deployment.admin.keys(server: "default").map(\.state) == [.current, .previous])
                #expect(try await active(beforeSwitch), "a token of the previous key still verifies")

                deployment.clock.advance(by: 3600 - 301 - 30)
                #expect(try await active(beforeSwitch), "... until it expires, 30 s from now")
                // Retirement: the activation (300 s) + the server's token lifetime (3600 s) + a minute.
                deployment.clock.advance(by: 3960 - 3570 + 1)
                #expect(try await jwksKids() == [newKey.kid], "the previous key retired once its tokens could have expired")
                #expect(try await deployment.admin.keys(server: "default").map(\.state) == [.current, .retired])
                #expect(try await active(try await token()))
            }
        }
    }

    @Test func theJWKSCarriesAnETagThatChangesWithTheKeys() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http async throws in
                let first = try await http.get(path(deployment.defaultURLs.jwksURI))
                let etag = try #require(first.headers[.eTag])
                #expect(first.headers[.cacheControl] == "public, max-age=300", "max-age equals the publish delay")
                let again = try await http.get(path(deployment.defaultURLs.jwksURI), headers: [.ifNoneMatch: etag])
                #expect(again.status == 304 && again.text.isEmpty)
                _ = try await deployment.admin.rotateKey(server: "default", publishDelay: 300)
                deployment.runtime.directory.invalidateAll()
                let changed = try await http.get(path(deployment.defaultURLs.jwksURI), headers: [.ifNoneMatch: etag])
                #expect(changed.status == 200 && changed.headers[.eTag] != etag)
            }
        }
    }

    @Test func aServerKeysKidIsItsRFC7638Thumbprint() async throws {
        try await TestDeployment.with { deployment in
            let jwks = try await deployment.http { http in try await http.get(path(deployment.defaultURLs.jwksURI)) }.text
            let object = try #require(try JSONSerialization.jsonObject(with: Data(jwks.utf8)) as? [String: Any])
            let key = try #require((object["keys"] as? [[String: Any]])?.first)
            let x = try #require(key["x"] as? String), y = try #require(key["y"] as? String)
            // RFC 7638 §3.2: the required members, lexicographic order, no whitespace.
            let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#
            #expect(key["kid"] as? String == Base64URL.encode(Array(SHA256.hash(data: Data(canonical.utf8)))))
        }
    }

    /// Each server key algorithm signs tokens that jwt-kit verifies against the JWKS (with the kid and the
    /// alg of the JWK), that introspect active, and whose RFC 9701 answers are signed with the same key.
    @Test(arguments: ["ES384", "RS256", "PS256", "EdDSA", "ES256"])
    func everyServerKeyAlgorithmSignsTokensThatVerifyAgainstTheJWKS(algorithm: String) async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretBasic)
            let key = try await deployment.admin.rotateKey(server: "default", algorithm: algorithm)
            deployment.runtime.directory.invalidateAll()
            try await deployment.http { http async throws in
                let answer = try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: [("grant_type", "client_credentials")],
                                                 headers: HTTPDriver.basic(client.id, client.secret ?? ""))
                let token = try #require(try JSONReader.object(in: answer.text)["access_token"]?.string, "\(answer.text)")
                let header = try ParsedJWT<AccessTokenPayload>(parsing: token).header
                #expect(header.alg == algorithm && header.kid == key.kid)
                let jwks = try await http.get(path(deployment.defaultURLs.jwksURI)).text
                let keys = try await JWTKeyCollection().add(jwksJSON: jwks)
                let claims = try await keys.verify(token, as: AccessTokenTests.AccessTokenClaims.self)
                #expect(claims.client_id == client.id)
                let introspected = try await http.post(path(deployment.defaultURLs.introspectionEndpoint), form: [("token", token)],
                                                       headers: HTTPDriver.basic(client.id, client.secret ?? "").merging([.accept: "application/token-introspection+jwt"]))
                let signed = try ParsedJWT<AccessTokenPayload>(parsing: introspected.text)
                #expect(signed.header.alg == algorithm && signed.header.kid == key.kid, "RFC 9701 answers use the server's key")
                #expect(signed.claims.claims["token_introspection"].map { if case .object(let answer) = $0 { answer["active"] == .bool(true) } else { false } } == true)
            }
        }
    }

    @Test func refusalsNameWhatToDo() async throws {
        try await TestDeployment.with { deployment in
            let current = try #require(try await deployment.admin.keys(server: "default").first?.key.kid)
            await #expect(throws: AdminError.self) { try await deployment.admin.rotateKey(server: "nowhere") }
            await #expect(throws: AdminError.self) { try await deployment.admin.rotateKey(server: "default", algorithm: "HS256") }
            do {
                try await deployment.admin.retireKey(server: "default", kid: current)
                Issue.record("the current key was retired")
            } catch let error as AdminError {
                #expect(error.description.contains("retiring it would leave nothing to sign with"), "\(error)")
            }
            let next = try await deployment.admin.rotateKey(server: "default", publishDelay: 300)
            do {
                _ = try await deployment.admin.rotateKey(server: "default", publishDelay: 300)
                Issue.record("a second rotation went through while a key was next")
            } catch let error as AdminError {
                #expect(error.description.contains("is already waiting to sign"), "\(error)")
            }
            try await deployment.admin.retireKey(server: "default", kid: next.kid)
            #expect(try await deployment.admin.keys(server: "default").map(\.state) == [.retired, .current], "a next key can be called off")
            await #expect(throws: AdminError.self) { try await deployment.admin.retireKey(server: "default", kid: "no-such-kid") }
        }
    }
}
