import Foundation
import JWTKit
import Testing
import TesseraCore
import TesseraStore

/// Scenario 1 and every client authentication method at the token endpoint.
@Suite struct ClientCredentialsTests {
    @Test func aPrivateKeyJWTAssertionInTheBodyGetsAToken() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.privateKeyJWT)
            let key = try #require(client.key)
            let assertion = try await key.signAssertion(deployment.claims(for: client.id))
            let answer = try await deployment.http { http in
                try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: [
                    ("grant_type", "client_credentials"), ("scope", "orders.read orders.write"),
                    ("client_assertion_type", HTTPDriver.assertionType), ("client_assertion", assertion),
                ])
            }
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.json["token_type"] as? String == "Bearer")
            #expect(answer.json["expires_in"] as? Int == 3600)
            #expect(answer.json["scope"] as? String == "orders.read orders.write")
            #expect(answer.header("Cache-Control") == "no-store")
            #expect(answer.header("Pragma") == "no-cache")
            #expect(answer.header("X-Request-Id")?.isEmpty == false)
            #expect(answer.accessToken?.hasPrefix("eyJ") == true)
        }
    }

    @Test func anAssertionInTheQueryStringIsAcceptedWithAndWithoutClientID() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.privateKeyJWT)
            let key = try #require(client.key)
            let first = try await key.signAssertion(deployment.claims(for: client.id))
            let second = try await key.signAssertion(deployment.claims(for: client.id))
            let (withoutID, withID) = try await deployment.http { http in
                let query = "?client_assertion=\(HTTPDriver.formEncode(first))&client_assertion_type=\(HTTPDriver.formEncode(HTTPDriver.assertionType))"
                let a = try await http.post(path(deployment.defaultURLs.tokenEndpoint) + query, form: [("grant_type", "client_credentials")])
                let b = try await http.post(path(deployment.defaultURLs.tokenEndpoint) + "?client_assertion=\(HTTPDriver.formEncode(second))", form: [
                    ("grant_type", "client_credentials"), ("client_id", client.id), ("client_assertion_type", HTTPDriver.assertionType),
                ])
                return (a, b)
            }
            #expect(withoutID.status == 200, "\(withoutID.text)")
            #expect(withID.status == 200, "\(withID.text)")
            #expect(withID.json["scope"] as? String == "orders.read orders.write", "no scope asked: the client's scopes")
        }
    }

    @Test(arguments: [ClientKeyPair.Algorithm.es256, .rs256, .eddsa])
    func privateKeyJWTAcceptsEveryKeyType(_ algorithm: ClientKeyPair.Algorithm) async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.privateKeyJWT, algorithm: algorithm)
            let assertion = try await #require(client.key).signAssertion(deployment.claims(for: client.id, audience: deployment.defaultURLs.issuer))
            let answer = try await deployment.http { http in
                try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: [
                    ("grant_type", "client_credentials"), ("client_id", client.id),
                    ("client_assertion_type", HTTPDriver.assertionType), ("client_assertion", assertion),
                ])
            }
            #expect(answer.status == 200, "\(algorithm): \(answer.text)")
        }
    }

    @Test func clientSecretBasicWithFormEncodedCredentials() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretBasic, scopes: ["orders.read"])
            let answer = try await deployment.http { http in
                try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: [("grant_type", "client_credentials")],
                                    headers: HTTPDriver.basic(client.id, try #require(client.secret)))
            }
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.json["scope"] as? String == "orders.read")
        }
    }

    @Test func clientSecretPost() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretPost)
            let answer = try await deployment.http { http in
                try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: [
                    ("grant_type", "client_credentials"), ("client_id", client.id), ("client_secret", try #require(client.secret)), ("scope", "orders.read"),
                ])
            }
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.json["scope"] as? String == "orders.read")
        }
    }

    @Test func clientSecretJWT() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretJWT)
            let assertion = try await ClientKeyPair.signAssertion(deployment.claims(for: client.id), secret: try #require(client.secret))
            let answer = try await deployment.http { http in
                try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: [
                    ("grant_type", "client_credentials"), ("client_assertion_type", HTTPDriver.assertionType), ("client_assertion", assertion),
                ])
            }
            #expect(answer.status == 200, "\(answer.text)")
        }
    }

    @Test func wrongSecretIsRejectedWithoutHintingAtTheSecret() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretBasic)
            let secret = try #require(client.secret)
            let wrong = String(secret.dropLast()) + (secret.hasSuffix("A") ? "B" : "A")
            let answer = try await deployment.http { http in
                try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: [("grant_type", "client_credentials")],
                                    headers: HTTPDriver.basic(client.id, wrong))
            }
            #expect(answer.status == 401)
            #expect(answer.error == "invalid_client")
            #expect(answer.header("WWW-Authenticate")?.hasPrefix("Basic realm=") == true)
            #expect(answer.json["request_id"] as? String == answer.header("X-Request-Id"))
            #expect(!answer.text.contains(wrong) && !answer.text.contains(secret))
        }
    }

    @Test func publicClientCannotUseClientCredentials() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.none)
            let answer = try await deployment.http { http in
                try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: [("grant_type", "client_credentials"), ("client_id", client.id)])
            }
            #expect(answer.status == 400)
            #expect(answer.error == "unauthorized_client")
            #expect(answer.description.contains("public client"))
        }
    }

    @Test func disabledClientIsRejectedAndASecretRotatedWithoutOverlapReplacesTheOld() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretPost)
            let old = try #require(client.secret)
            let rotated = try #require(try await deployment.admin.rotateSecret(clientID: client.id, keepOldFor: 0).secret)
            _ = try await deployment.admin.setEnabled(clientID: client.id, true)
            deployment.runtime.directory.invalidateAll()
            let (oldAnswer, newAnswer) = try await deployment.http { http in
                let form = { (secret: String) in [("grant_type", "client_credentials"), ("client_id", client.id), ("client_secret", secret)] }
                return (try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: form(old)),
                        try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: form(rotated)))
            }
            #expect(oldAnswer.status == 400)
            #expect(newAnswer.status == 200, "\(newAnswer.text)")
            _ = try await deployment.admin.setEnabled(clientID: client.id, false)
            deployment.runtime.directory.invalidateAll()
            let disabled = try await deployment.http { http in
                try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: [("grant_type", "client_credentials"), ("client_id", client.id), ("client_secret", rotated)])
            }
            #expect(disabled.status == 400)
            #expect(disabled.description.contains("disabled"))
        }
    }
}
