import Crypto
import Foundation
import JWTKit
import Testing
import TesseraCore
import TesseraHTTP
import TesseraStore

/// Every client-assertion check rejects its violation with its own reason code (real keys, real
/// signatures, real SQLite replay store), going through the token endpoint's core.
@Suite struct AssertionChecksTests {
    /// Runs a client_credentials request with `assertion` and returns the rejection, if any.
    static func reject(_ deployment: TestDeployment, assertion: String?, type: String? = HTTPDriver.assertionType,
                       clientID: String? = nil, secret: String? = nil, header: String? = nil) async throws -> OAuthError? {
        let server = try #require(try await deployment.stores.servers.server(named: "default"))
        do {
            let credentials = try ClientCredentialsParser.parse(
                authorizationHeader: header, clientID: clientID, clientSecret: secret, clientAssertion: assertion,
                clientAssertionType: assertion == nil && type == HTTPDriver.assertionType ? nil : type, acceptsBearer: false)
            _ = try await deployment.runtime.tokens.handle(TokenRequest(grantType: "client_credentials"), credentials: credentials, server: server)
            return nil
        } catch {
            return error
        }
    }

    func privateKeyClient(_ deployment: TestDeployment) async throws -> (TestDeployment.RegisteredClient, ClientKeyPair) {
        let client = try await deployment.register(.privateKeyJWT)
        return (client, try #require(client.key))
    }

    @Test func replayedJTIIsRejected() async throws {
        try await TestDeployment.with { deployment in
            let (client, key) = try await privateKeyClient(deployment)
            let assertion = try await key.signAssertion(deployment.claims(for: client.id))
            #expect(try await Self.reject(deployment, assertion: assertion) == nil)
            let error = try await Self.reject(deployment, assertion: assertion)
            #expect(error?.reason == .assertionReplayed)
            #expect(error?.code == .invalidClient)
        }
    }

    @Test func expiredAssertionIsRejectedAndNamesTheClocks() async throws {
        try await TestDeployment.with { deployment in
            let (client, key) = try await privateKeyClient(deployment)
            var claims = deployment.claims(for: client.id)
            claims.iat = claims.iat.map { $0 - 300 }
            claims.exp = claims.iat.map { $0 + 60 }
            let error = try await Self.reject(deployment, assertion: try await key.signAssertion(claims))
            #expect(error?.reason == .assertionExpired)
            #expect(error?.description.contains("expired at") == true)
        }
    }

    @Test func expiryTooFarInTheFutureIsRejectedNamingBothNumbers() async throws {
        try await TestDeployment.with { deployment in
            let (client, key) = try await privateKeyClient(deployment)
            var claims = deployment.claims(for: client.id)
            claims.exp = claims.iat.map { $0 + 3700 }
            let error = try await Self.reject(deployment, assertion: try await key.signAssertion(claims))
            #expect(error?.reason == .assertionLifetimeTooLong)
            #expect(error?.description == "client_assertion exp is 3700 seconds after iat; the maximum lifetime on this server is 3600 seconds (servers update --max-assertion-lifetime)")
        }
    }

    /// authlib and other standard libraries sign `exp = iat + 3600`: accepted by default; a server may
    /// ask for shorter assertions and then says so with both numbers.
    @Test func anHourLongAssertionIsAcceptedUnlessTheServerAsksForShorter() async throws {
        try await TestDeployment.with { deployment in
            let (client, key) = try await privateKeyClient(deployment)
            var claims = deployment.claims(for: client.id)
            claims.exp = claims.iat.map { $0 + 3600 }
            let server = try #require(try await deployment.stores.servers.server(named: "default"))
            let credentials = ClientCredentials.assertion(try await key.signAssertion(claims), type: ClientAssertionVerifier.assertionType, clientID: nil)
            let outcome = try await deployment.runtime.tokens.handle(TokenRequest(grantType: "client_credentials"), credentials: credentials, server: server)
            #expect(outcome.client.id == client.id)

            _ = try await deployment.admin.updateServer(name: "default", maxAssertionLifetime: 300)
            deployment.runtime.directory.invalidateAll()
            claims.jti = "another-jti"
            let error = try await Self.reject(deployment, assertion: try await key.signAssertion(claims))
            #expect(error?.reason == .assertionLifetimeTooLong)
            #expect(error?.description.contains("3600 seconds after iat; the maximum lifetime on this server is 300 seconds") == true, "\(error?.description ?? "")")
            await #expect(throws: AdminError.self) { try await deployment.admin.updateServer(name: "default", maxAssertionLifetime: 10) }
        }
    }

    @Test func assertionFromAClockAheadIsNotYetValid() async throws {
        try await TestDeployment.with { deployment in
            let (client, key) = try await privateKeyClient(deployment)
            var claims = deployment.claims(for: client.id)
            claims.iat = claims.iat.map { $0 + 600 }
            claims.exp = claims.iat.map { $0 + 60 }
            let error = try await Self.reject(deployment, assertion: try await key.signAssertion(claims))
            #expect(error?.reason == .assertionNotYetValid)
            #expect(error?.description.contains("clock") == true)
        }
    }

    @Test func assertionWithoutExpOrJTIIsRejected() async throws {
        try await TestDeployment.with { deployment in
            let (client, key) = try await privateKeyClient(deployment)
            var noExp = deployment.claims(for: client.id)
            noExp.exp = nil
            var noJTI = deployment.claims(for: client.id)
            noJTI.jti = nil
            #expect(try await Self.reject(deployment, assertion: try await key.signAssertion(noExp))?.reason == .assertionExpMissing)
            #expect(try await Self.reject(deployment, assertion: try await key.signAssertion(noJTI))?.reason == .assertionJTIMissing)
        }
    }

    @Test func wrongAudienceIsRejectedNamingExpectedAndReceived() async throws {
        try await TestDeployment.with { deployment in
            let (client, key) = try await privateKeyClient(deployment)
            let claims = deployment.claims(for: client.id, audience: "https://elsewhere.example.com/token")
            let error = try await Self.reject(deployment, assertion: try await key.signAssertion(claims))
            #expect(error?.reason == .assertionAudienceMismatch)
            #expect(error?.description.contains(deployment.defaultURLs.tokenEndpoint) == true)
            #expect(error?.description.contains("https://elsewhere.example.com/token") == true)
        }
    }

    @Test func issuerDifferentFromSubjectIsRejected() async throws {
        try await TestDeployment.with { deployment in
            let (client, key) = try await privateKeyClient(deployment)
            var claims = deployment.claims(for: client.id)
            claims.iss = "someone-else"
            let error = try await Self.reject(deployment, assertion: try await key.signAssertion(claims), clientID: client.id)
            #expect(error?.reason == .assertionIssuerMismatch)
        }
    }

    @Test func algNoneIsRejected() async throws {
        try await TestDeployment.with { deployment in
            let (client, _) = try await privateKeyClient(deployment)
            let header = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
            let body = try JSONEncoder().encode(deployment.claims(for: client.id))
            let unsigned = header + "." + Base64URL.encode(Array(body)) + "."
            let error = try await Self.reject(deployment, assertion: unsigned)
            #expect(error?.reason == .assertionAlgNotAllowed)
            #expect(error?.description.contains("\"none\"") == true)
        }
    }

    @Test func hs256SignedWithThePublicKeyIsRejected() async throws {
        try await TestDeployment.with { deployment in
            let (client, key) = try await privateKeyClient(deployment)
            let publicJWKS = key.jwksDocument()
            let forged = try await ClientKeyPair.signAssertion(deployment.claims(for: client.id), secret: publicJWKS)
            let error = try await Self.reject(deployment, assertion: forged)
            #expect(error?.reason == .assertionAlgNotAllowed)
            #expect(error?.description.contains("HS256") == true)
        }
    }

    @Test func assertionSignedWithAnotherKeyIsRejected() async throws {
        try await TestDeployment.with { deployment in
            let (client, key) = try await privateKeyClient(deployment)
            let impostor = try ClientKeyPair.generate(.es256)
            let forged = try await impostor.signAssertion(deployment.claims(for: client.id), kid: key.thumbprint)
            let error = try await Self.reject(deployment, assertion: forged)
            #expect(error?.reason == .assertionSignatureInvalid)
        }
    }

    @Test func unknownKidIsRejectedListingTheKnownKids() async throws {
        try await TestDeployment.with { deployment in
            let (client, key) = try await privateKeyClient(deployment)
            let assertion = try await key.signAssertion(deployment.claims(for: client.id), kid: "not-registered")
            let error = try await Self.reject(deployment, assertion: assertion)
            #expect(error?.reason == .assertionKidUnknown)
            #expect(error?.description.contains(key.thumbprint) == true)
        }
    }

    @Test func algThatDoesNotFitTheKeyTypeIsRejected() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.privateKeyJWT, algorithm: .eddsa)
            let rsa = try ClientKeyPair.generate(.rs256)
            let assertion = try await rsa.signAssertion(deployment.claims(for: client.id), kid: try #require(client.key).thumbprint)
            let error = try await Self.reject(deployment, assertion: assertion)
            #expect(error?.reason == .assertionAlgNotAllowed)
        }
    }

    @Test func missingAssertionTypeIsRejected() async throws {
        try await TestDeployment.with { deployment in
            let (client, key) = try await privateKeyClient(deployment)
            let assertion = try await key.signAssertion(deployment.claims(for: client.id))
            let missing = try await Self.reject(deployment, assertion: assertion, type: nil)
            #expect(missing?.reason == .assertionTypeMissing)
            let wrong = try await Self.reject(deployment, assertion: assertion, type: "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
            #expect(wrong?.reason == .assertionTypeInvalid)
        }
    }

    @Test func malformedAssertionIsRejected() async throws {
        try await TestDeployment.with { deployment in
            let (client, _) = try await privateKeyClient(deployment)
            let error = try await Self.reject(deployment, assertion: "not.a-jwt", clientID: client.id)
            #expect(error?.reason == .assertionMalformed)
        }
    }

    @Test func clientRegisteredWithAnotherMethodIsRejected() async throws {
        try await TestDeployment.with { deployment in
            let basicClient = try await deployment.register(.clientSecretBasic)
            let key = try ClientKeyPair.generate(.es256)
            let assertion = try await key.signAssertion(deployment.claims(for: basicClient.id))
            let error = try await Self.reject(deployment, assertion: assertion)
            #expect(error?.reason == .clientAuthMethodMismatch)
            #expect(error?.description.contains("authenticates with client_secret_basic") == true)

            let (keyClient, _) = try await privateKeyClient(deployment)
            let viaSecret = try await Self.reject(deployment, assertion: nil, clientID: keyClient.id, secret: "guess")
            #expect(viaSecret?.reason == .clientAuthMethodMismatch)
            #expect(viaSecret?.description.contains("authenticates with private_key_jwt") == true)
        }
    }

    @Test func clientSecretJWTWithWrongSecretIsRejected() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretJWT)
            let assertion = try await ClientKeyPair.signAssertion(deployment.claims(for: client.id), secret: SecureRandom.token(byteCount: 32))
            let error = try await Self.reject(deployment, assertion: assertion)
            #expect(error?.reason == .assertionSignatureInvalid)
        }
    }

    @Test func twoAuthenticationMethodsAtOnceAreRejected() async throws {
        try await TestDeployment.with { deployment in
            let (client, key) = try await privateKeyClient(deployment)
            let assertion = try await key.signAssertion(deployment.claims(for: client.id))
            let error = try await Self.reject(deployment, assertion: assertion, clientID: client.id, secret: "also-a-secret")
            #expect(error?.reason == .clientAuthMultipleMethods)
            #expect(error?.code == .invalidRequest)
        }
    }

    @Test func assertionCheckedAgainstAFutureClockExpires() async throws {
        try await TestDeployment.with { deployment in
            let (client, key) = try await privateKeyClient(deployment)
            let assertion = try await key.signAssertion(deployment.claims(for: client.id))
            deployment.clock.advance(by: 120)
            #expect(try await Self.reject(deployment, assertion: assertion)?.reason == .assertionExpired)
        }
    }
}
