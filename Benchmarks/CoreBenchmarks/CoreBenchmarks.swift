import Benchmark
import Crypto
import Foundation
import JWTKit
import TesseraCore
import TesseraHTTP
import TesseraJWT
import TesseraResourceServer
import TesseraSQLite
import TesseraStore
import TesseraJSON

/// Core operations of the hot paths, with wall clock, throughput and allocation counts.
/// Run: `TESSERA_BENCHMARKS=1 swift package benchmark` (release build).
let benchmarks: @Sendable () -> Void = {
    // Every sample runs an operation 1,000 times (over 1,000 distinct tokens where the first sight of a
    // token is measured): timed one at a time, the per-sample work of the harness (allocation counters,
    // clock reads) added tens of microseconds to operations that take tens of microseconds.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 200
    )

    let tokenRequestBody = Array("grant_type=client_credentials&scope=orders.read+orders.write&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiIwb2FjbGllbnQifQ.c2ln".utf8)
    Benchmark("form parsing: token request body") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try FormParameters(parsing: tokenRequestBody, origin: "request body"))
        }
    }

    Benchmark("JWT signing: RFC 9068 access token (ES256)") { benchmark in
        let fixture = try await Fixture.make()
        let signer = try requireSigner(fixture)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try signer.sign(payload: Fixture.payload()))
        }
    }

    Benchmark("JWT signing: RFC 9068 access token (RS256, 2048-bit key)") { benchmark in
        let masterKey = MasterKey.generate().key
        let stored = try SigningKeyFactory.make(algorithm: "RS256", server: "default", masterKey: masterKey, now: Date())
        guard let signer = try await ServerKeyRing.load(keys: [stored], masterKey: masterKey).signer else { return }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try signer.sign(payload: Fixture.payload()))
        }
    }

    Benchmark("client assertion verification: private_key_jwt (ES256), replay store excluded") { benchmark in
        let fixture = try await Fixture.make()
        let assertions = try await fixture.assertions(count: benchmark.scaledIterations.count)
        benchmark.startMeasurement()
        for assertion in assertions {
            try await fixture.assertionVerifier.verify(assertion, client: fixture.keyClient, clientIDParameter: nil, acceptedAudiences: [fixture.urls.tokenEndpoint])
        }
    }

    Benchmark("introspection: JWT seen before (verification cached)") { benchmark in
        let fixture = try await Fixture.make()
        let token = try await fixture.accessToken()
        _ = try await fixture.verifier.check(token, server: fixture.server)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await fixture.verifier.check(token, server: fixture.server))
        }
    }

    Benchmark("bare ES256 verify (swift-crypto), the floor of first-seen validation") { benchmark in
        // The signing input of a real access token, the public key and the signature object made once.
        let fixture = try await Fixture.make()
        let parsed = try ParsedJWT<AccessTokenPayload>(parsing: try await fixture.accessToken())
        let key = P256.Signing.PrivateKey()
        let publicKey = key.publicKey
        let message = Data(parsed.signingInput)
        let signature = try key.signature(for: message)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(publicKey.isValidSignature(signature, for: message))
        }
    }

    Benchmark("resource server: first-seen JWT, local validation") { benchmark in
        let fixture = try await Fixture.make()
        let validator = try await fixture.resourceValidator()
        var tokens: [String] = []
        for _ in benchmark.scaledIterations { tokens.append(try await fixture.accessToken()) }
        benchmark.startMeasurement()
        for token in tokens {
            blackHole(try await validator.validate(token))
        }
    }

    Benchmark("resource server: seen-before JWT (verification cached)") { benchmark in
        let fixture = try await Fixture.make()
        let validator = try await fixture.resourceValidator()
        let token = try await fixture.accessToken()
        _ = try await validator.validate(token)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await validator.validate(token))
        }
    }

    // The first-seen path taken apart: the parse (ParsedJWT, as the server and the resource server use
    // it, and jwt-kit's parser with its default JSONDecoder for comparison) and the signature check with
    // a key resolved once.
    Benchmark("first-seen parts: parse (ParsedJWT, as used)") { benchmark in
        let fixture = try await Fixture.make()
        let token = try await fixture.accessToken()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try ParsedJWT<AccessTokenPayload>(parsing: token))
        }
    }

    Benchmark("first-seen parts: parse with jwt-kit's default JSONDecoder (before)") { benchmark in
        let fixture = try await Fixture.make()
        let token = Array(try await fixture.accessToken().utf8)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try DefaultJWTParser().parse(token, as: AccessTokenPayload.self))
        }
    }

    Benchmark("first-seen parts: signature check with the resolved key (no parse)") { benchmark in
        let fixture = try await Fixture.make()
        let parsed = try ParsedJWT<AccessTokenPayload>(parsing: try await fixture.accessToken())
        let keys = JWTKeyCollection()
        try await keys.add(jwksJSON: String(decoding: fixture.ring.jwksDocument, as: UTF8.self))
        let key = try await keys.getKey(for: parsed.header.kid.map { JWKIdentifier(string: $0) }, alg: parsed.header.alg)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(parsed.isSigned(by: key))
        }
    }

    Benchmark("introspection: JWT seen first (one signature verify)") { benchmark in
        let fixture = try await Fixture.make()
        var tokens: [String] = []
        for _ in benchmark.scaledIterations { tokens.append(try await fixture.accessToken()) }
        benchmark.startMeasurement()
        for token in tokens {
            blackHole(try await fixture.verifier.check(token, server: fixture.server))
        }
    }
}

func requireSigner(_ fixture: Fixture) throws -> JWSSigner {
    guard let signer = fixture.ring.signer else { throw AdminError("no signer") }
    return signer
}

/// A deployment on a temporary SQLite file with one server, one private_key_jwt client and its key.
struct Fixture: Sendable {
    let stores: Stores
    let server: AuthorizationServer
    let ring: ServerKeyRing
    let keyClient: Client
    let key: ClientKeyPair
    let urls: IssuerURLs
    let assertionVerifier: ClientAssertionVerifier
    let verifier: TokenVerifier
    let issuer: AccessTokenIssuer

    /// Accepts every jti: the benchmark measures verification, not the database write.
    struct AcceptingReplays: ReplayStore {
        func claim(clientID: String, jti: String, expiresAt: Date, now: Date) async throws(StoreError) -> Bool { true }
        func purgeExpired(now: Date) async throws(StoreError) -> Int { 0 }
    }

    static func make() async throws -> Fixture {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-bench-\(UUID().uuidString).sqlite").path
        let store = try await SQLiteStore.open(path: path)
        let stores = Stores(store)
        let masterKey = MasterKey.generate().key
        let admin = Administration(stores: stores, masterKey: masterKey)
        let server = try await admin.createServer(name: "bench")
        let key = try ClientKeyPair.generate(.es256)
        let client = try await admin.createClient(server: "bench", name: "bench", method: .privateKeyJWT, jwks: key.jwksDocument()).client
        let directory = Directory(stores: stores, masterKey: masterKey)
        let clock = SystemWallClock()
        let publicURL = "http://127.0.0.1:8080"
        return Fixture(
            stores: stores, server: server, ring: try await directory.keyRing(server: "bench"), keyClient: client, key: key,
            urls: IssuerURLs(publicURL: publicURL, server: "bench"),
            assertionVerifier: ClientAssertionVerifier(keySource: ClientKeySource(fetcher: nil, clock: clock), replays: AcceptingReplays(), masterKey: masterKey, clock: clock),
            verifier: TokenVerifier(directory: directory, tokens: stores.tokens, clock: clock, publicURL: publicURL),
            issuer: AccessTokenIssuer(directory: directory, clock: clock, publicURL: publicURL))
    }

    static func payload() -> [UInt8] {
        JSONWriter.object([
            ("iss", .string("http://127.0.0.1:8080/oauth2/bench")), ("sub", .string("0oaclient0123456789abc")), ("aud", .string("api://bench")),
            ("client_id", .string("0oaclient0123456789abc")), ("scope", .string("orders.read orders.write")),
            ("iat", .number(1_800_000_000)), ("exp", .number(1_800_003_600)), ("jti", .string("AT.0123456789abcdefghij")),
        ])
    }

    func assertions(count: Int) async throws -> [String] {
        var result: [String] = []
        for _ in 0..<count {
            result.append(try await key.signAssertion(ClientKeyPair.assertionClaims(clientID: keyClient.id, audience: urls.tokenEndpoint)))
        }
        return result
    }

    /// A resource-server validator for this server's tokens, with its keys pinned (no network).
    func resourceValidator() async throws -> TokenValidator {
        try await TokenValidator(ResourceServerConfiguration(issuer: urls.issuer, audience: "api://bench"),
                                 pinnedJWKS: String(decoding: ring.jwksDocument, as: UTF8.self))
    }

    func accessToken() async throws -> String {
        try await issuer.issue(subject: keyClient.id, client: keyClient, server: server, scopes: [], audiences: server.audiences).accessToken
    }
}
