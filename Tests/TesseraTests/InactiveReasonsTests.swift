import Foundation
import Testing
import TesseraCore
@testable import TesseraHTTP
import TesseraStore

/// Each reason a token is inactive is told apart for the log, while the caller sees only
/// `{"active":false}`; and revocation (RFC 7009) of JWT, opaque and refresh tokens.
@Suite struct InactiveReasonsTests {
    static func introspect(_ deployment: TestDeployment, _ token: String, as caller: TestDeployment.RegisteredClient, server: String = "default") async throws -> IntrospectionResult {
        let record = try #require(try await deployment.stores.servers.server(named: server))
        let client = try #require(try await deployment.stores.clients.client(id: caller.id))
        return try await deployment.runtime.introspector.introspect(token, caller: IntrospectionCaller(client: client, viaBearer: false), server: record)
    }

    static func reason(_ result: IntrospectionResult) -> ReasonCode? {
        if case .inactive(let reason, _) = result { return reason }
        return nil
    }

    static func revoke(_ deployment: TestDeployment, _ token: String, as client: TestDeployment.RegisteredClient) async throws -> HTTPDriver.Answer {
        try await deployment.http { http in
            try await http.post("/oauth2/default/v1/revoke", form: [("token", token), ("client_id", client.id), ("client_secret", client.secret ?? "")])
        }
    }

    @Test func expiredMalformedBadSignatureAndUnknownTokensHaveTheirReasons() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretPost)
            let token = try await IntrospectionTests.token(deployment, client)
            let parts = token.split(separator: ".").map(String.init)
            var payload = try #require(Base64URL.decode(parts[1]))
            payload[payload.count / 2] ^= 0x01
            let tampered = parts[0] + "." + Base64URL.encode(payload) + "." + parts[2]
            #expect(Self.reason(try await Self.introspect(deployment, token, as: client)) == nil)
            #expect(Self.reason(try await Self.introspect(deployment, "definitely not a token", as: client)) == .tokenMalformed)
            #expect(Self.reason(try await Self.introspect(deployment, tampered, as: client)) == .tokenBadSignature)
            // The key decides the algorithm, not the header (RFC 8725 §3.1); a token must name its key.
            let header = String(decoding: try #require(Base64URL.decode(parts[0])), as: UTF8.self)
            #expect(header.contains(#""alg":"ES256""#))
            let relabelled = Base64URL.encode(Array(header.replacingOccurrences(of: "ES256", with: "ES384").utf8)) + "." + parts[1] + "." + parts[2]
            #expect(Self.reason(try await Self.introspect(deployment, relabelled, as: client)) == .tokenBadSignature)
            let keyless = Base64URL.encode(Array(#"{"alg":"ES256","typ":"at+jwt"}"#.utf8)) + "." + parts[1] + "." + parts[2]
            #expect(Self.reason(try await Self.introspect(deployment, keyless, as: client)) == .tokenBadSignature)
            #expect(Self.reason(try await Self.introspect(deployment, OpaqueToken.newAccessToken(), as: client)) == .tokenUnknown)
            deployment.clock.advance(by: 3601)
            #expect(Self.reason(try await Self.introspect(deployment, token, as: client)) == .tokenExpired, "a cached verification still expires")
        }
    }

    @Test func tokensOfServerAAreInactiveAtServerB() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.admin.createServer(name: "partners", tokenFormat: .opaque)
            let home = try await deployment.register(.clientSecretPost)
            let partner = try await deployment.register(.clientSecretPost, server: "partners", scopes: [])
            let jwt = try await IntrospectionTests.token(deployment, home)
            let opaque = try await IntrospectionTests.token(deployment, partner, server: "partners")
            #expect(opaque.hasPrefix(OpaqueToken.accessPrefix))
            #expect(Self.reason(try await Self.introspect(deployment, jwt, as: partner, server: "partners")) == .tokenOtherServer)
            #expect(Self.reason(try await Self.introspect(deployment, opaque, as: home)) == .tokenOtherServer)
            #expect(Self.reason(try await Self.introspect(deployment, opaque, as: partner, server: "partners")) == nil)
            let http = try await deployment.http { http in
                try await http.post("/oauth2/partners/v1/introspect", form: [("token", jwt), ("client_id", partner.id), ("client_secret", partner.secret ?? "")])
            }
            #expect(http.text == #"{"active":false}"#)
        }
    }

    @Test func policyLetsAResourceServerSeeItsAudienceOnly() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.admin.updateServer(name: "default", audiences: ["https://orders.example.com", "https://billing.example.com"])
            deployment.runtime.directory.invalidateAll()
            let caller = try await deployment.register(.clientSecretPost)
            let created = try await deployment.admin.createClient(server: "default", name: "orders-api", method: .clientSecretPost,
                                                                  introspects: ["https://orders.example.com"])
            let ordersAPI = TestDeployment.RegisteredClient(id: created.client.id, secret: created.secret, key: nil)
            let forOrders = try await IntrospectionTests.token(deployment, caller, resource: "https://orders.example.com")
            let forBilling = try await IntrospectionTests.token(deployment, caller, resource: "https://billing.example.com")
            #expect(Self.reason(try await Self.introspect(deployment, forOrders, as: ordersAPI)) == nil)
            #expect(Self.reason(try await Self.introspect(deployment, forBilling, as: ordersAPI)) == .tokenNotVisible)
            #expect(Self.reason(try await Self.introspect(deployment, forBilling, as: caller)) == nil, "a client always sees its own tokens")
            await #expect(throws: AdminError.self) {
                _ = try await deployment.admin.createClient(server: "default", name: "x", method: .clientSecretPost, introspects: ["https://nowhere.example.com"])
            }
        }
    }

    @Test func revokedJWTIsInactiveAndOnlyItsClientMayRevokeIt() async throws {
        try await TestDeployment.with { deployment in
            let owner = try await deployment.register(.clientSecretPost)
            let stranger = try await deployment.register(.clientSecretPost)
            let token = try await IntrospectionTests.token(deployment, owner)
            #expect(Self.reason(try await Self.introspect(deployment, token, as: owner)) == nil, "active, and now cached")
            let refused = try await Self.revoke(deployment, token, as: stranger)
            BadInputTests.expectRejection(refused, status: 400, error: "unauthorized_client", mentioning: "only its own tokens")
            #expect(Self.reason(try await Self.introspect(deployment, token, as: owner)) == nil)
            let revoked = try await Self.revoke(deployment, token, as: owner)
            #expect(revoked.status == 200)
            #expect(revoked.header("Cache-Control") == "no-store")
            #expect(Self.reason(try await Self.introspect(deployment, token, as: owner)) == .tokenRevoked, "the cached verification honours the deny list")
            #expect(try await Self.revoke(deployment, token, as: owner).status == 200, "revoking twice is fine")
            #expect(try await Self.revoke(deployment, "unknown-token", as: owner).status == 200, "unknown tokens answer 200")
        }
    }

    @Test func revokedOpaqueTokenIsInactive() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.admin.updateServer(name: "default", tokenFormat: .opaque)
            deployment.runtime.directory.invalidateAll()
            let client = try await deployment.register(.clientSecretPost)
            let token = try await IntrospectionTests.token(deployment, client)
            #expect(token.hasPrefix(OpaqueToken.accessPrefix))
            let stored = try #require(try await deployment.stores.tokens.token(hash: Hashing.sha256(token)))
            #expect(stored.clientID == client.id)
            #expect(Self.reason(try await Self.introspect(deployment, token, as: client)) == nil)
            #expect(try await Self.revoke(deployment, token, as: client).status == 200)
            #expect(Self.reason(try await Self.introspect(deployment, token, as: client)) == .tokenRevoked)
        }
    }

    @Test func revokingARefreshTokenRevokesTheAccessTokensIssuedFromIt() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretPost)
            let now = deployment.clock.now
            let refresh = OpaqueToken.newRefreshToken()
            let child = OpaqueToken.newAccessToken()
            func record(_ token: String, _ kind: TokenRecord.Kind, parent: String?) -> TokenRecord {
                TokenRecord(hash: Hashing.sha256(token), kind: kind, server: "default", clientID: client.id, subject: "user-1",
                            scopes: ["orders.read"], audiences: ["api://default"], jti: kind == .refreshToken ? "RT.1" : "AT.1",
                            issuedAt: now, expiresAt: now.addingTimeInterval(3600), parentHash: parent.map(Hashing.sha256))
            }
            try await deployment.stores.tokens.saveToken(record(refresh, .refreshToken, parent: nil))
            try await deployment.stores.tokens.saveToken(record(child, .accessToken, parent: refresh))
            let jwtChild = try await IntrospectionTests.token(deployment, client)
            let server = try #require(try await deployment.stores.servers.server(named: "default"))
            guard case .active(let jwtFacts) = try await deployment.runtime.verifier.check(jwtChild, server: server) else {
                Issue.record("the JWT child should be active before revocation")
                return
            }
            try await deployment.stores.tokens.linkJWT(parentHash: Hashing.sha256(refresh), server: "default", jti: jwtFacts.jti,
                                                       expiresAt: Date(timeIntervalSince1970: TimeInterval(jwtFacts.expiresAt)))
            // Seen (and cached) as active before the revocation: the cache must not outlive it.
            #expect(Self.reason(try await Self.introspect(deployment, child, as: client)) == nil)
            #expect(Self.reason(try await Self.introspect(deployment, child, as: client)) == nil)
            #expect(try await Self.revoke(deployment, refresh, as: client).status == 200)
            #expect(Self.reason(try await Self.introspect(deployment, refresh, as: client)) == .tokenRevoked)
            #expect(Self.reason(try await Self.introspect(deployment, child, as: client)) == .tokenRevoked)
            #expect(Self.reason(try await Self.introspect(deployment, jwtChild, as: client)) == .tokenRevoked)
        }
    }

    @Test func opaqueTokenNotYetValidIsInactive() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretPost)
            let token = OpaqueToken.newAccessToken()
            let now = deployment.clock.now
            try await deployment.stores.tokens.saveToken(TokenRecord(
                hash: Hashing.sha256(token), kind: .accessToken, server: "default", clientID: client.id, subject: client.id,
                scopes: [], audiences: ["api://default"], jti: "AT.future", issuedAt: now, notBefore: now.addingTimeInterval(600),
                expiresAt: now.addingTimeInterval(3600)))
            #expect(Self.reason(try await Self.introspect(deployment, token, as: client)) == .tokenNotYetValid)
        }
    }
}
