import Foundation
import JWTKit
import Testing
import TesseraCore
import TesseraStore
import TesseraJSON

/// The issued JWT (RFC 9068) verified with the server's published JWKS, and scenarios 5 and 6.
@Suite struct AccessTokenTests {
    struct AccessTokenClaims: JWTPayload {
        var iss: String
        var sub: String
        var aud: AudienceList
        var client_id: String
        var scope: String?
        var iat: Int
        var exp: ExpirationClaim
        var jti: String
        var env: String?
        var org: [String: Int]?
        var tier: String?

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
        }
    }

    /// Gets a token for a client_secret_post client of `server`.
    static func token(_ deployment: TestDeployment, server: String = "default", client: TestDeployment.RegisteredClient,
                      extra: [(String, String)] = []) async throws -> HTTPDriver.Answer {
        let urls = IssuerURLs(publicURL: TestDeployment.publicURL, server: server)
        return try await deployment.http { http in
            try await http.post(path(urls.tokenEndpoint), form: [("grant_type", "client_credentials"), ("client_id", client.id),
                                                                 ("client_secret", client.secret ?? "")] + extra)
        }
    }

    @Test func accessTokenIsAnRFC9068JWTVerifiableWithTheJWKS() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretPost, scopes: ["orders.read"])
            let answer = try await Self.token(deployment, client: client)
            let token = try #require(answer.accessToken)
            let jwks = try await deployment.http { http in try await http.get("/oauth2/default/v1/keys") }.text
            let keys = try await JWTKeyCollection().add(jwksJSON: jwks)
            let claims = try await keys.verify(token, as: AccessTokenClaims.self)
            #expect(claims.iss == deployment.defaultURLs.issuer)
            #expect(claims.sub == client.id)
            #expect(claims.client_id == client.id)
            #expect(claims.aud.values == ["api://default"])
            #expect(claims.scope == "orders.read")
            #expect(claims.exp.value.timeIntervalSince1970 - Double(claims.iat) == 3600)
            #expect(claims.jti.count > 16)
            let header = try DefaultJWTParser().parse(Array(token.utf8), as: AccessTokenClaims.self).header
            #expect(header.typ == "at+jwt")
            #expect(header.alg == "ES256")
            let ring = try await deployment.runtime.directory.keyRing(server: "default")
            #expect(header.kid == ring.signer?.kid)
        }
    }

    @Test func theResourceParameterSelectsTheAudienceAndCustomClaimsAreAdded() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.admin.createServer(name: "orders", audiences: ["https://api.example.com", "https://admin.example.com"],
                                                    accessTokenTTL: 600, claims: ["env": .string("prod"), "org": .object(["id": .number(7)])])
            _ = try await deployment.admin.createScope(server: "orders", name: "orders.read", description: nil)
            let created = try await deployment.admin.createClient(server: "orders", name: "svc", method: .clientSecretPost, scopes: ["orders.read"],
                                                                  claims: ["tier": .string("gold")])
            let client = TestDeployment.RegisteredClient(id: created.client.id, secret: created.secret, key: nil)
            let byDefault = try await Self.token(deployment, server: "orders", client: client)
            let chosen = try await Self.token(deployment, server: "orders", client: client, extra: [("resource", "https://admin.example.com")])
            let both = try await Self.token(deployment, server: "orders", client: client,
                                            extra: [("resource", "https://api.example.com"), ("resource", "https://admin.example.com")])
            let foreign = try await Self.token(deployment, server: "orders", client: client, extra: [("resource", "https://evil.example.com")])
            let relative = try await Self.token(deployment, server: "orders", client: client, extra: [("resource", "/relative#frag")])
            let undefined = try await Self.token(deployment, server: "orders", client: client, extra: [("scope", "orders.delete")])
            _ = try await deployment.admin.createScope(server: "orders", name: "orders.write", description: nil)
            deployment.runtime.directory.invalidateAll()
            let notGranted = try await Self.token(deployment, server: "orders", client: client, extra: [("scope", "orders.read orders.write")])

            let jwks = try await deployment.http { http in try await http.get("/oauth2/orders/v1/keys") }.text
            let keys = try await JWTKeyCollection().add(jwksJSON: jwks)
            let defaultClaims = try await keys.verify(try #require(byDefault.accessToken), as: AccessTokenClaims.self)
            #expect(defaultClaims.aud.values == ["https://api.example.com"])
            #expect(defaultClaims.env == "prod")
            #expect(defaultClaims.org == ["id": 7])
            #expect(defaultClaims.tier == "gold")
            #expect(defaultClaims.iss == "http://tessera.test/oauth2/orders")
            #expect(byDefault.json["expires_in"] as? Int == 600)
            #expect(try await keys.verify(try #require(chosen.accessToken), as: AccessTokenClaims.self).aud.values == ["https://admin.example.com"])
            #expect(try await keys.verify(try #require(both.accessToken), as: AccessTokenClaims.self).aud.values == ["https://api.example.com", "https://admin.example.com"])
            #expect(foreign.error == "invalid_target")
            #expect(foreign.description.contains("https://api.example.com"))
            #expect(relative.error == "invalid_target")
            #expect(undefined.error == "invalid_scope")
            #expect(undefined.description.contains("\"orders.delete\" is not defined"))
            #expect(notGranted.error == "invalid_scope")
            #expect(notGranted.description.contains("may not request scope \"orders.write\""))
        }
    }

    @Test func aClientOfOneServerCannotGetATokenFromAnother() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.admin.createServer(name: "partners")
            let client = try await deployment.register(.clientSecretPost, scopes: [])
            let home = try await Self.token(deployment, server: "default", client: client)
            let other = try await Self.token(deployment, server: "partners", client: client)
            #expect(home.status == 200)
            #expect(other.status == 400, "authenticated in the body: RFC 6749 §5.2's 400, no challenge")
            #expect(other.error == "invalid_client")
            #expect(other.description.contains("no client \"\(client.id)\" is registered on authorization server \"partners\""))
            let defaultKeys = try await deployment.runtime.directory.keyRing(server: "default").kids
            let partnerKeys = try await deployment.runtime.directory.keyRing(server: "partners").kids
            #expect(Set(defaultKeys).isDisjoint(with: partnerKeys), "each server signs with its own key")
        }
    }

    @Test func pooledRandomTokensAreUniqueAcrossPoolRefillsAndUseEveryByteValue() {
        // 16-byte jtis: 256 per 4 KiB pool, so 3,000 draws cross eleven refills.
        let drawn = (0..<3_000).map { _ in SecureRandom.pooledBytes(16) }
        #expect(Set(drawn).count == drawn.count, "no value is handed out twice, within a pool or after a refill")
        #expect(drawn.allSatisfy { $0.count == 16 })
        var seen = Set<UInt8>()
        for bytes in drawn { seen.formUnion(bytes) }
        #expect(seen.count == 256, "48,000 random bytes cover every byte value (a zeroed or stuck pool would not)")
        let tokens = (0..<1_000).map { _ in SecureRandom.token(byteCount: 16) }
        #expect(Set(tokens).count == tokens.count && tokens.allSatisfy { $0.count == 22 }, "16 bytes are 22 base64url characters")
    }

    @Test func signerOutputVerifiesWithJWTKitForManyPayloads() async throws {
        let key = P256Key()
        let ring = try await ServerKeyRing.load(keys: [try SigningKeyFactory.makeES256(server: "s", masterKey: key.master, now: Date())], masterKey: key.master)
        let signer = try #require(ring.signer)
        let keys = try await JWTKeyCollection().add(jwksJSON: String(decoding: ring.jwksDocument, as: UTF8.self))
        for text in ["plain", "quote \" backslash \\ newline \n tab \t control \u{01}", "unicode é ✓ 🚀", String(repeating: "x", count: 2000)] {
            let token = try signer.sign(payload: JSONWriter.object([("sub", .string(text)), ("exp", .number(4_000_000_000))]))
            struct Payload: JWTPayload {
                var sub: String
                func verify(using algorithm: some JWTAlgorithm) async throws {}
            }
            #expect(try await keys.verify(token, as: Payload.self).sub == text)
        }
    }

    struct P256Key {
        let master = MasterKey.generate().key
    }
}
