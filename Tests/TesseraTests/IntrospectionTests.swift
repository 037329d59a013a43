import Foundation
import HTTPTypes
import JWTKit
import Testing
@testable import TesseraCore
@testable import TesseraHTTP
import TesseraStore
import TesseraJSON
import TesseraWire

/// Scenarios 2, 4 and 8 at the introspection endpoint, the bearer caller, the access policy and RFC 9701.
@Suite struct IntrospectionTests {
    static let introspect = "/oauth2/default/v1/introspect"

    /// A token for `client` via client_secret_post (or its key for private_key_jwt).
    static func token(_ deployment: TestDeployment, _ client: TestDeployment.RegisteredClient, server: String = "default",
                      scope: String? = nil, resource: String? = nil) async throws -> String {
        let urls = IssuerURLs(publicURL: TestDeployment.publicURL, server: server)
        var form: [(String, String)] = [("grant_type", "client_credentials")]
        var headers: HTTPFields = [:]
        if let key = client.key {
            form += [("client_assertion_type", HTTPDriver.assertionType),
                     ("client_assertion", try await key.signAssertion(deployment.claims(for: client.id, audience: urls.tokenEndpoint)))]
        } else if client.method == .clientSecretBasic {
            headers = HTTPDriver.basic(client.id, client.secret ?? "")
        } else {
            form += [("client_id", client.id), ("client_secret", client.secret ?? "")]
        }
        if let scope { form.append(("scope", scope)) }
        if let resource { form.append(("resource", resource)) }
        let (request, fields) = (form, headers)
        let answer = try await deployment.http { http in try await http.post(path(urls.tokenEndpoint), form: request, headers: fields) }
        return try #require(answer.accessToken, "\(answer.text)")
    }

    @Test func introspectionAcceptsANewAssertionAimedAtTheIntrospectionEndpoint() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.privateKeyJWT)
            let key = try #require(client.key)
            let token = try await Self.token(deployment, client, scope: "orders.read orders.write")
            let assertion = try await key.signAssertion(deployment.claims(for: client.id, audience: deployment.defaultURLs.introspectionEndpoint))
            let (good, failing) = try await deployment.http { http in
                (try await http.post(Self.introspect, form: [
                    ("token", token), ("token_type_hint", "access_token"),
                    ("client_assertion_type", HTTPDriver.assertionType), ("client_assertion", assertion),
                 ]),
                 try await http.post(Self.introspect, form: [("token", token), ("client_id", client.id)]))
            }
            #expect(good.status == 200, "\(good.text)")
            let json = good.json
            #expect(json["active"] as? Bool == true)
            #expect(json["scope"] as? String == "orders.read orders.write")
            #expect(json["client_id"] as? String == client.id)
            #expect(json["token_type"] as? String == "Bearer")
            #expect(json["sub"] as? String == client.id)
            #expect(json["aud"] as? String == "api://default")
            #expect(json["iss"] as? String == deployment.defaultURLs.issuer)
            #expect((json["jti"] as? String)?.hasPrefix("AT.") == true)
            for claim in ["exp", "iat", "nbf"] { #expect(json[claim] is Int, "\(claim)") }
            #expect((json["exp"] as? Int ?? 0) - (json["iat"] as? Int ?? 0) == 3600)
            #expect(good.header("Cache-Control") == "no-store")

            BadInputTests.expectRejection(failing, status: 400, error: "invalid_client",
                                          mentioning: "authenticates with private_key_jwt; the request carried no client_assertion", "client_assertion_type")
        }
    }

    @Test func aResourceServerIntrospectsWithBasicAndPostSecrets() async throws {
        try await TestDeployment.with { deployment in
            let caller = try await deployment.register(.clientSecretBasic)
            let poster = try await deployment.register(.clientSecretPost)
            let created = try await deployment.admin.createClient(server: "default", name: "api", method: .clientSecretBasic, introspects: ["api://default"])
            let api = TestDeployment.RegisteredClient(id: created.client.id, secret: created.secret, key: nil, method: .clientSecretBasic)
            let token = try await Self.token(deployment, poster, scope: "orders.read")
            let (basic, post, own) = try await deployment.http { http in
                (try await http.post(Self.introspect, form: [("token", token)], headers: HTTPDriver.basic(api.id, api.secret ?? "")),
                 try await http.post(Self.introspect, form: [("token", token), ("client_id", poster.id), ("client_secret", poster.secret ?? "")]),
                 try await http.post(Self.introspect, form: [("token", token)], headers: HTTPDriver.basic(caller.id, caller.secret ?? "")))
            }
            #expect(basic.json["active"] as? Bool == true, "registered for the audience: \(basic.text)")
            #expect(basic.json["client_id"] as? String == poster.id)
            #expect(post.json["active"] as? Bool == true, "the token's own client: \(post.text)")
            #expect(own.text == #"{"active":false}"#, "an unrelated client sees nothing")
        }
    }

    @Test func aRefreshTokenRecordIntrospectsWithItsTypeAndUser() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretPost)
            let refresh = OpaqueToken.newRefreshToken()
            let now = deployment.clock.now
            try await deployment.stores.tokens.saveToken(TokenRecord(
                hash: Hashing.sha256(refresh), kind: .refreshToken, server: "default", clientID: client.id, subject: "user-42",
                username: "ada@example.com", scopes: ["orders.read"], audiences: ["api://default"], jti: "RT.1",
                issuedAt: now, expiresAt: now.addingTimeInterval(86_400)))
            let answer = try await deployment.http { http in
                try await http.post(Self.introspect, form: [("token", refresh), ("token_type_hint", "access_token"),
                                                            ("client_id", client.id), ("client_secret", client.secret ?? "")])
            }
            #expect(answer.json["active"] as? Bool == true, "a wrong hint must not make a good token inactive: \(answer.text)")
            #expect(answer.json["token_type"] as? String == "refresh_token")
            #expect(answer.json["username"] as? String == "ada@example.com")
            #expect(answer.json["sub"] as? String == "user-42")
            #expect(answer.json["scope"] as? String == "orders.read")
        }
    }

    @Test func bearerCallerNeedsTheIntrospectScope() async throws {
        try await TestDeployment.with { deployment in
            _ = try await deployment.admin.createScope(server: "default", name: Introspector.introspectScope, description: nil)
            let monitor = try await deployment.register(.clientSecretPost, scopes: ["orders.read", Introspector.introspectScope])
            let withScope = try await Self.token(deployment, monitor, scope: Introspector.introspectScope)
            let withoutScope = try await Self.token(deployment, monitor, scope: "orders.read")
            let (ok, forbidden, bogus) = try await deployment.http { http in
                (try await http.post(Self.introspect, form: [("token", withoutScope)], headers: [.authorization: "Bearer " + withScope]),
                 try await http.post(Self.introspect, form: [("token", withScope)], headers: [.authorization: "bearer " + withoutScope]),
                 try await http.post(Self.introspect, form: [("token", withScope)], headers: [.authorization: "Bearer not-a-token"]))
            }
            #expect(ok.json["active"] as? Bool == true, "\(ok.text)")
            #expect(ok.json["scope"] as? String == "orders.read")
            #expect(forbidden.status == 403)
            #expect(forbidden.error == "insufficient_scope")
            #expect(forbidden.header("WWW-Authenticate")?.contains("error=\"insufficient_scope\"") == true)
            #expect(forbidden.header("WWW-Authenticate")?.contains("scope=\"tessera:introspect\"") == true)
            #expect(bogus.status == 401)
            #expect(bogus.error == "invalid_token")
            #expect(bogus.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        }
    }

    @Test func missingTokenParameterIsInvalidRequest() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretPost)
            let answer = try await deployment.http { http in
                try await http.post(Self.introspect, form: [("client_id", client.id), ("client_secret", client.secret ?? "")])
            }
            BadInputTests.expectRejection(answer, status: 400, error: "invalid_request", mentioning: "no token parameter")
        }
    }

    @Test func rfc9701SignedAnswerVerifiesWithTheJWKS() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretBasic)
            let token = try await Self.token(deployment, client)
            let (answer, jwks) = try await deployment.http { http in
                (try await http.post(Self.introspect, form: [("token", token)],
                                     headers: HTTPDriver.basic(client.id, client.secret ?? "").merging([.accept: "application/token-introspection+jwt"])),
                 try await http.get("/oauth2/default/v1/keys").text)
            }
            #expect(answer.status == 200)
            #expect(answer.header("Content-Type") == "application/token-introspection+jwt")
            struct SignedAnswer: JWTPayload {
                var iss: String
                var aud: String
                var iat: Int
                var token_introspection: [String: JSONValue]
                func verify(using algorithm: some JWTAlgorithm) async throws {}
            }
            let keys = try await JWTKeyCollection().add(jwksJSON: jwks)
            let signed = try await keys.verify(answer.text, as: SignedAnswer.self)
            #expect(signed.iss == deployment.defaultURLs.issuer)
            #expect(signed.aud == client.id)
            #expect(signed.token_introspection["active"] == .bool(true))
            #expect(signed.token_introspection["client_id"] == .string(client.id))
            let header = try DefaultJWTParser().parse(Array(answer.text.utf8), as: SignedAnswer.self).header
            #expect(header.typ == "token-introspection+jwt")

            let asAccessToken = try await deployment.http { http in
                try await http.post(Self.introspect, form: [("token", answer.text)], headers: HTTPDriver.basic(client.id, client.secret ?? ""))
            }
            #expect(asAccessToken.text == #"{"active":false}"#, "a signed answer is not an access token (typ is checked)")
        }
    }

    @Test func answersNeverContainSecretsOrHashes() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.admin.updateServer(name: "default", tokenFormat: .opaque)
            deployment.runtime.directory.invalidateAll()
            let client = try await deployment.register(.clientSecretPost)
            let token = try await Self.token(deployment, client)
            let answer = try await deployment.http { http in
                try await http.post(Self.introspect, form: [("token", token), ("client_id", client.id), ("client_secret", client.secret ?? "")])
            }
            #expect(answer.json["active"] as? Bool == true)
            let hash = Hashing.sha256(token)
            for forbidden in [client.secret ?? "-", token, hash.base64EncodedString(), hash.map { String(format: "%02x", $0) }.joined()] {
                #expect(!answer.text.contains(forbidden))
            }
        }
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var result = self
        for field in other { result[field.name] = field.value }
        return result
    }
}

/// Rendered active answers are reused per token: each must stay the rendering of its own token.
@Suite struct RenderedAnswersTests {
    static func facts(_ jti: String) -> TokenFacts {
        TokenFacts(kind: .accessToken, format: .opaque, server: "default", issuer: "https://id.example/oauth2/default", clientID: "client-\(jti)",
                   subject: "client-\(jti)", username: nil, scopes: ["orders.read"], audiences: ["api://default"], jti: jti,
                   issuedAt: 1_700_000_000, notBefore: 1_700_000_000, expiresAt: 1_700_003_600, customClaims: [:],
                   digest: TokenDigest(of: "token-\(jti)"))
    }

    @Test func eachTokenGetsItsOwnAnswerBeforeAndAfterTheCacheIsEmptiedAtItsLimit() throws {
        let answers = RenderedAnswers(limit: 2)
        let (first, second, third) = (Self.facts("AT.1"), Self.facts("AT.2"), Self.facts("AT.3"))
        for facts in [first, second, third, first, third, second, first] {
            let answer = answers.answer(for: facts)
            #expect(answer == JSONWriter.object(Introspector.members(facts)))
            let text = String(decoding: answer, as: UTF8.self)
            #expect(text.hasPrefix("{\"active\":true,"))
            #expect(text.contains("\"jti\":\"\(facts.jti)\"") && text.contains("\"client_id\":\"\(facts.clientID)\""))
        }
    }
}

/// Which Authorization headers make an introspection caller a Bearer caller, and with which token.
@Suite struct BearerHeaderTests {
    @Test func theBearerSchemeIsCaseInsensitiveAndTheTokenTrimmed() {
        let cases: [(String?, String?)] = [
            ("Bearer abc.def", "abc.def"), ("bearer abc", "abc"), ("BEARER  abc ", "abc"), (" Bearer abc", "abc"),
            ("Bearer", nil), ("Bearer ", nil), ("Basic YTpi", nil), ("Bearerx abc", nil), ("Bear abc", nil),
            ("Bearer\tabc", nil), ("Béarer abc", nil), (nil, nil), ("", nil), ("Bearer   ", ""),
        ]
        for (header, token) in cases {
            #expect(AuthorizationHeader.bearerToken(header) == token, "\(header ?? "(no header)")")
        }
    }
}
