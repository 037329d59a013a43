import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import AsyncHTTPClient
import Crypto
import NIOHTTP1
import Testing
import TesseraCore
import TesseraHTTP
import TesseraResourceServer
import TesseraStore

/// The resource-server library against a real Tessera on a real socket.
@Suite(.serialized) struct ResourceServerTests {
    static func validator(_ deployment: TestDeployment, audience: String = "api://default", introspection: IntrospectionCredentials? = nil,
                          cacheTTL: TimeInterval = 60, now: (@Sendable () -> Date)? = nil) async throws -> TokenValidator {
        var configuration = ResourceServerConfiguration(issuer: deployment.defaultURLs.issuer, audience: audience, introspection: introspection)
        configuration.introspectionCacheTTL = cacheTTL
        let clock = deployment.clock
        return try await TokenValidator(configuration, now: now ?? { clock.now })
    }

    static func expectRejection(_ kind: TokenValidationError.Kind, mentioning text: String, _ body: () async throws -> VerifiedToken) async {
        do {
            let token = try await body()
            Issue.record("expected \(kind), got a token for \(token.clientID)")
        } catch let error as TokenValidationError {
            #expect(error.kind == kind, "\(error)")
            #expect(error.description.contains(text), "\(error.description) should mention \(text)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func localValidationAcceptsAGoodTokenAndCachesIt() async throws {
        try await LiveServer.with { deployment, _ in
            let client = try await deployment.register(.clientSecretPost, claims: ["tier": .string("gold")])
            let token = try await IntrospectionTests.token(deployment, client, scope: "orders.read")
            let validator = try await Self.validator(deployment)
            let verified = try await validator.validate(token, mode: .local, requiredScopes: ["orders.read"])
            #expect(verified.clientID == client.id)
            #expect(verified.subject == client.id)
            #expect(verified.scopes == ["orders.read"])
            #expect(verified.audiences == ["api://default"])
            #expect(verified.claims["tier"] == .string("gold"))
            #expect(verified.source == .localJWT)
            _ = try await validator.validate(token, mode: .local)
            #expect(validator.statistics.snapshot.localMisses == 1)
            #expect(validator.statistics.snapshot.localHits == 1)
            #expect(validator.jwksFetchCount == 1)
        }
    }

    @Test func localValidationRefusesExpiredWrongAudienceBadSignatureWrongTypAndMissingScope() async throws {
        try await LiveServer.with { deployment, base in
            let client = try await deployment.register(.clientSecretBasic)
            let token = try await IntrospectionTests.token(deployment, client, scope: "orders.read")
            let validator = try await Self.validator(deployment)
            let late = try await Self.validator(deployment, now: { Date().addingTimeInterval(4000) })
            let otherAudience = try await Self.validator(deployment, audience: "https://payments.example.com")
            let parts = token.split(separator: ".").map(String.init)
            var payload = try #require(Base64URL.decode(parts[1]))
            payload[10] ^= 0x01
            let tampered = parts[0] + "." + Base64URL.encode(payload) + "." + parts[2]
            let introspectionJWT = try await deployment.http { http in
                try await http.post("/oauth2/default/v1/introspect", form: [("token", token)],
                                    headers: HTTPDriver.basic(client.id, client.secret ?? "").merging([.accept: "application/token-introspection+jwt"]))
            }.text

            await Self.expectRejection(.invalidToken, mentioning: "expired") { try await late.validate(token) }
            await Self.expectRejection(.invalidToken, mentioning: "does not include https://payments.example.com") { try await otherAudience.validate(token) }
            await Self.expectRejection(.invalidToken, mentioning: "signature") { try await validator.validate(tampered) }
            await Self.expectRejection(.invalidToken, mentioning: "typ") { try await validator.validate(introspectionJWT) }
            await Self.expectRejection(.insufficientScope, mentioning: "orders.write") { try await validator.validate(token, requiredScopes: ["orders.write"]) }
            await Self.expectRejection(.invalidToken, mentioning: "not a JWT") { try await validator.validate("opaque-token") }
            _ = base
        }
    }

    @Test func pinnedKeysValidateWithoutReachingTheIssuer() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretPost)
            let token = try await IntrospectionTests.token(deployment, client, scope: "orders.read")
            let jwks = String(decoding: try await deployment.runtime.directory.keyRing(server: "default").jwksDocument, as: UTF8.self)
            let clock = deployment.clock
            let validator = try await TokenValidator(ResourceServerConfiguration(issuer: deployment.defaultURLs.issuer, audience: "api://default"),
                                                     pinnedJWKS: jwks, now: { clock.now })
            #expect(try await validator.validate(token, requiredScopes: ["orders.read"]).clientID == client.id, "http://tessera.test is not reachable")
            _ = try await deployment.admin.rotateKey(server: "default")
            deployment.runtime.directory.invalidateAll()
            let rotated = try await IntrospectionTests.token(deployment, client)
            await Self.expectRejection(.invalidToken, mentioning: "kid") { try await validator.validate(rotated) }
            #expect(validator.jwksFetchCount == 0)
        }
    }

    /// An issuer made in the test: one P-256 key, pinned in the validator, signing tokens the test shapes.
    struct LocalIssuer {
        let key = P256.Signing.PrivateKey()
        let validator: TokenValidator

        init() async throws {
            let point = key.publicKey.x963Representation.dropFirst()
            let jwks = #"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","alg":"ES256","use":"sig","x":"\#(Base64URL.encode(point.prefix(32)))","y":"\#(Base64URL.encode(point.suffix(32)))"}]}"#
            validator = try await TokenValidator(ResourceServerConfiguration(issuer: "https://issuer.example", audience: "api://orders"),
                                                 pinnedJWKS: jwks, now: { Date(timeIntervalSince1970: 1_800_000_000) })
        }

        /// A token signed with the key, whatever `alg` its header names.
        func token(alg: String = "ES256", scope: String = "orders.read") throws -> String {
            let header = Base64URL.encode(Array(#"{"alg":"\#(alg)","kid":"k1","typ":"at+jwt"}"#.utf8))
            let claims = Base64URL.encode(Array(#"{"iss":"https://issuer.example","aud":"api://orders","sub":"c1","client_id":"c1","scope":"\#(scope)","iat":1800000000,"exp":1800000600,"jti":"j1"}"#.utf8))
            let signature = try key.signature(for: Data((header + "." + claims).utf8))
            return header + "." + claims + "." + Base64URL.encode(signature.rawRepresentation)
        }
    }

    @Test func tokenWhoseAlgIsNotTheKeysAlgorithmIsRefused() async throws {
        // An ES256 signature under a header that says ES384: the key's algorithm decides, not the token's header.
        let issuer = try await LocalIssuer()
        let validator = issuer.validator
        #expect(try await validator.validate(try issuer.token(alg: "ES256"), requiredScopes: ["orders.read"]).clientID == "c1")
        // Scopes are split on single spaces (RFC 6749 §3.3); stray spaces make no empty scope.
        let spaced = try await validator.validate(try issuer.token(alg: "ES256", scope: " orders.read  orders.write état "))
        #expect(spaced.scopes == ["orders.read", "orders.write", "état"])
        await Self.expectRejection(.invalidToken, mentioning: "signature") { try await validator.validate(try issuer.token(alg: "ES384")) }
        await Self.expectRejection(.invalidToken, mentioning: "signature") { try await validator.validate(try issuer.token(alg: "HS256")) }
    }

    @Test func aCachedTokenIsAHitOnlyWithTheSameSignature() async throws {
        // The cache is keyed by the SHA-256 of the signing input; a hit also needs the very signature text.
        let issuer = try await LocalIssuer()
        let validator = issuer.validator
        let token = try issuer.token()
        _ = try await validator.validate(token)
        _ = try await validator.validate(token)
        #expect(validator.statistics.snapshot.localMisses == 1)
        #expect(validator.statistics.snapshot.localHits == 1)

        let parts = token.split(separator: ".").map(String.init)
        var signature = try #require(Base64URL.decode(parts[2]))
        signature[5] ^= 0x01
        let forged = parts[0] + "." + parts[1] + "." + Base64URL.encode(signature)
        await Self.expectRejection(.invalidToken, mentioning: "signature") { try await validator.validate(forged) }
        await Self.expectRejection(.invalidToken, mentioning: "signature") { try await validator.validate(parts[0] + "." + parts[1] + ".") }
        #expect(validator.statistics.snapshot.localHits == 1, "a forged signature over a cached signing input is checked, not served from the cache")

        // ECDSA signs with a fresh nonce: the same claims signed again are another token, verified on first sight.
        let resigned = try issuer.token()
        #expect(resigned != token)
        #expect(try await validator.validate(resigned).clientID == "c1")
        #expect(validator.statistics.snapshot.localMisses == 4)
        #expect(try await validator.validate(resigned).clientID == "c1")
        #expect(validator.statistics.snapshot.localHits == 2)
    }

    @Test func tokenFromAMisconfiguredIssuerIsRefused() async throws {
        try await LiveServer.with { deployment, _ in
            // Same keys, another public URL: the signature verifies, the issuer does not match.
            let elsewhere = TesseraRuntime(stores: deployment.stores, masterKey: deployment.masterKey,
                                           settings: TesseraSettings(publicURL: "https://elsewhere.example.com"), clock: deployment.clock)
            let client = try await deployment.register(.clientSecretPost)
            let server = try #require(try await deployment.stores.servers.server(named: "default"))
            let issued = try await elsewhere.tokens.handle(TokenRequest(grantType: "client_credentials"),
                                                           credentials: .post(clientID: client.id, secret: client.secret ?? ""), server: server)
            let validator = try await Self.validator(deployment)
            await Self.expectRejection(.invalidToken, mentioning: "issued by https://elsewhere.example.com") {
                try await validator.validate(issued.response.accessToken)
            }
        }
    }

    @Test func keyRotationOnTheServerIsPickedUp() async throws {
        try await LiveServer.with { deployment, _ in
            let client = try await deployment.register(.clientSecretPost)
            let validator = try await Self.validator(deployment)
            let before = try await IntrospectionTests.token(deployment, client)
            _ = try await validator.validate(before)
            let key = try await deployment.admin.rotateKey(server: "default")
            deployment.runtime.directory.invalidateAll()
            let after = try await IntrospectionTests.token(deployment, client)
            let verified = try await validator.validate(after)
            #expect(verified.clientID == client.id)
            #expect(validator.jwksFetchCount == 2, "the unknown kid \(key.kid) triggered one refetch")
            _ = try await validator.validate(before)
        }
    }

    /// The library follows an announced rotation through next → current → previous → retired with no
    /// error and no refetch beyond the one its cache lifetime asks for: the new key is in the JWKS it
    /// fetches when its copy expires, before any token names it.
    @Test func anAnnouncedRotationIsFollowedWithoutErrorsOrExtraFetches() async throws {
        try await LiveServer.with { deployment, _ in
            let client = try await deployment.register(.clientSecretPost)
            let validator = try await Self.validator(deployment)
            let old = try await IntrospectionTests.token(deployment, client)
            for _ in 0..<5 { #expect(try await validator.validate(old).clientID == client.id) }
            #expect(validator.jwksFetchCount == 1)

            let key = try await deployment.admin.rotateKey(server: "default", publishDelay: Administration.defaultPublishDelay)
            deployment.runtime.directory.invalidateAll()
            #expect(try await validator.validate(old).clientID == client.id, "next: the old key still signs and verifies")
            let stillOld = try await IntrospectionTests.token(deployment, client)
            #expect(try await validator.validate(stillOld).clientID == client.id)

            deployment.clock.advance(by: Administration.defaultPublishDelay + 1)
            let new = try await IntrospectionTests.token(deployment, client)
            #expect(try await validator.validate(new).clientID == client.id, "current: the new key \(key.kid) signs")
            #expect(try await validator.validate(old).clientID == client.id, "previous: the old key's tokens still verify")
            #expect(validator.jwksFetchCount == 2, "one refetch, when the cached JWKS (max-age 300) expired — not one per unknown kid")

            deployment.clock.advance(by: 3600 + 60)
            let latest = try await IntrospectionTests.token(deployment, client)
            #expect(try await validator.validate(latest).clientID == client.id, "retired: the old key is gone, the new one keeps working")
            #expect(validator.jwksFetchCount == 3, "one more refetch for the expired cache")
        }
    }

    @Test func introspectionSeesARevocationAtOnceWhileLocalValidationDoesNot() async throws {
        try await LiveServer.with { deployment, _ in
            let caller = try await deployment.register(.clientSecretPost)
            let api = try await deployment.admin.createClient(server: "default", name: "orders-api", method: .clientSecretBasic, introspects: ["api://default"])
            let credentials = IntrospectionCredentials(clientID: api.client.id, method: .clientSecretBasic(secret: api.secret ?? ""))
            let validator = try await Self.validator(deployment, introspection: credentials, cacheTTL: 0)
            let token = try await IntrospectionTests.token(deployment, caller, scope: "orders.read")
            #expect(try await validator.validate(token, mode: .introspect, requiredScopes: ["orders.read"]).source == .introspection)
            #expect(try await validator.validate(token, mode: .local).clientID == caller.id)
            #expect(try await InactiveReasonsTests.revoke(deployment, token, as: caller).status == 200)
            await Self.expectRejection(.invalidToken, mentioning: "not active") { try await validator.validate(token, mode: .introspect) }
            await Self.expectRejection(.invalidToken, mentioning: "not active") { try await validator.validate(token, mode: .localThenIntrospect) }
            #expect(try await validator.validate(token, mode: .local).clientID == caller.id, "local validation cannot see revocation (documented trade-off)")
        }
    }

    @Test func introspectionWithPrivateKeyJWTHandlesOpaqueTokensAndCoalescesConcurrentCalls() async throws {
        try await LiveServer.with { deployment, _ in
            try await deployment.admin.updateServer(name: "default", tokenFormat: .opaque)
            deployment.runtime.directory.invalidateAll()
            let caller = try await deployment.register(.clientSecretPost)
            let apiKey = try ClientKeyPair.generate(.es256)
            let api = try await deployment.admin.createClient(server: "default", name: "orders-api", method: .privateKeyJWT,
                                                              jwks: apiKey.jwksDocument(), introspects: ["api://default"])
            let credentials = IntrospectionCredentials(clientID: api.client.id, method: .privateKeyJWT(privateKeyPEM: apiKey.privateKeyPEM, kid: apiKey.thumbprint))
            let validator = try await Self.validator(deployment, introspection: credentials)
            let token = try await IntrospectionTests.token(deployment, caller, scope: "orders.read")
            #expect(token.hasPrefix(OpaqueToken.accessPrefix))
            let results = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<10 { group.addTask { try await validator.validate(token, mode: .localThenIntrospect, requiredScopes: ["orders.read"]).clientID } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(results == Array(repeating: caller.id, count: 10))
            let stats = validator.statistics.snapshot
            #expect(stats.introspectionCalls == 1, "\(stats)")
            #expect(stats.introspectionMisses - stats.coalesced == 1, "every other caller joined the call in flight: \(stats)")
            #expect(stats.introspectionHits + stats.coalesced == 9, "\(stats)")
            _ = try await validator.validate(token, mode: .introspect)
            #expect(validator.statistics.snapshot.introspectionHits == stats.introspectionHits + 1)
        }
    }

    @Test func ordersAPIExampleAnswersPerRFC6750() async throws {
        try await LiveServer.with { deployment, _ in
            let client = try await deployment.register(.clientSecretPost)
            let token = try await IntrospectionTests.token(deployment, client, scope: "orders.read")
            let port = CLIProcess.freePort()
            let example = Process()
            example.executableURL = CLIProcess.binary.deletingLastPathComponent().appendingPathComponent("OrdersAPI")
            example.arguments = ["--issuer", deployment.defaultURLs.issuer, "--audience", "api://default", "--port", String(port)]
            example.standardError = FileHandle.nullDevice
            example.standardOutput = FileHandle.nullDevice
            try example.run()
            defer { example.terminate(); example.waitUntilExit() }
            let base = "http://127.0.0.1:\(port)/orders"
            try await ServeProcessTests.waitUntilAnswering(base)

            let read = try await Self.call(base, method: .GET, authorization: "bearer " + token)
            #expect(read.status == 200, "the scheme is case-insensitive: \(read.body)")
            #expect(read.body.contains(client.id))
            let write = try await Self.call(base, method: .POST, authorization: "Bearer " + token)
            #expect(write.status == 403)
            #expect(write.challenge?.contains("error=\"insufficient_scope\"") == true)
            #expect(write.challenge?.contains("scope=\"orders.write\"") == true)
            let anonymous = try await Self.call(base, method: .GET, authorization: nil)
            #expect(anonymous.status == 401)
            #expect(anonymous.challenge?.hasPrefix("Bearer realm=") == true)
            let forged = try await Self.call(base, method: .GET, authorization: "Bearer " + token + "x")
            #expect(forged.status == 401)
            #expect(forged.challenge?.contains("error=\"invalid_token\"") == true)
        }
    }

    static func call(_ url: String, method: HTTPMethod, authorization: String?) async throws -> (status: Int, challenge: String?, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 16)
        return (Int(response.status.code), response.headers.first(name: "WWW-Authenticate"), String(buffer: body))
    }
}
