import Crypto
import Foundation
import HTTPTypes
import Testing
import TesseraCore
import TesseraStore

/// Regressions of the hostile-input run: each finding as a class (every endpoint, every claim, every
/// spelling), asserting the exact answer and that the server keeps serving afterwards.
@Suite struct HostileInputTests {
    /// A private_key_jwt client whose key the test holds, to sign any header and claims text.
    struct Signer {
        let id: String
        let key: P256.Signing.PrivateKey
        let kid = "k1"

        func assertion(header: String? = nil, claims: String) throws -> String {
            try HandMadeJWS.es256(header: header ?? #"{"alg":"ES256","kid":"k1","typ":"JWT"}"#, claims: claims, key: key)
        }
    }

    static func signer(_ deployment: TestDeployment) async throws -> Signer {
        let key = P256.Signing.PrivateKey()
        let pair = try ClientKeyPair(pem: key.pemRepresentation)
        let created = try await deployment.admin.createClient(server: "default", name: "hostile", method: .privateKeyJWT,
                                                              jwks: pair.jwksDocument(kid: "k1"), scopes: ["orders.read"])
        return Signer(id: created.client.id, key: key)
    }

    /// Claims text of a valid assertion for `id` at `audience`, with `overrides` replacing members verbatim.
    static func claims(_ id: String, audience: String, now: Date, _ overrides: [String: String] = [:]) -> String {
        let seconds = now.epochSeconds
        var members: [(String, String)] = [("iss", "\"\(id)\""), ("sub", "\"\(id)\""), ("aud", "\"\(audience)\""),
                                           ("iat", "\(seconds)"), ("exp", "\(seconds + 60)"), ("jti", "\"\(UUID().uuidString)\"")]
        for (name, value) in overrides {
            if let index = members.firstIndex(where: { $0.0 == name }) { members[index].1 = value } else { members.append((name, value)) }
        }
        return "{" + members.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    static func post(_ deployment: TestDeployment, _ endpoint: String, assertion: String, extra: [(String, String)]) async throws -> HTTPDriver.Answer {
        try await deployment.http { http in
            try await http.post(path(endpoint), form: extra + [("client_assertion_type", HTTPDriver.assertionType), ("client_assertion", assertion)])
        }
    }

    @Test func outOfRangeAssertionTimesAreRefusedAtTokenIntrospectionAndRevocationWithoutATrap() async throws {
        try await TestDeployment.with { deployment in
            let signer = try await Self.signer(deployment)
            let urls = deployment.defaultURLs
            let endpoints: [(String, [(String, String)])] = [
                (urls.tokenEndpoint, [("grant_type", "client_credentials")]),
                (urls.introspectionEndpoint, [("token", "x")]),
                (urls.revocationEndpoint, [("token", "x")]),
            ]
            for (endpoint, extra) in endpoints {
                for claim in ["exp", "nbf", "iat"] {
                    for value in ["1e19", "1e300", "-1e300", "9223372036854775808", "-9.3e18"] {
                        let claims = Self.claims(signer.id, audience: endpoint, now: deployment.clock.now, [claim: value])
                        let answer = try await Self.post(deployment, endpoint, assertion: try signer.assertion(claims: claims), extra: extra)
                        BadInputTests.expectRejection(answer, status: 400, error: "invalid_client",
                                                      mentioning: "not a well-formed JWT", "\(claim) ", "is not a date between the years 1 and 9999")
                    }
                }
            }
            // client_secret_jwt goes through the same claim reader.
            let hmacClient = try await deployment.register(.clientSecretJWT)
            let claims = Self.claims(hmacClient.id, audience: urls.tokenEndpoint, now: deployment.clock.now, ["exp": "1e300"])
            let hmac = HandMadeJWS.hs256(header: #"{"alg":"HS256","typ":"JWT"}"#, claims: claims, secret: hmacClient.secret ?? "")
            let refused = try await Self.post(deployment, urls.tokenEndpoint, assertion: hmac, extra: [("grant_type", "client_credentials")])
            BadInputTests.expectRejection(refused, status: 400, error: "invalid_client", mentioning: "exp 1e+300 is not a date")

            let events = try await deployment.events()
            #expect(events.filter { $0.reason == ReasonCode.assertionMalformed.rawValue }.count == 46)
            let good = try await Self.post(deployment, urls.tokenEndpoint, assertion: try signer.assertion(claims: Self.claims(
                signer.id, audience: urls.tokenEndpoint, now: deployment.clock.now)), extra: [("grant_type", "client_credentials")])
            #expect(good.status == 200, "the server still serves: \(good.text)")
        }
    }

    @Test func aHeaderWithCritIsRefusedWhateverItNames() async throws {
        try await TestDeployment.with { deployment in
            let signer = try await Self.signer(deployment)
            let endpoint = deployment.defaultURLs.tokenEndpoint
            for crit in [#"["exp"]"#, "[]", #"["b64"]"#, "\"exp\""] {
                let header = #"{"alg":"ES256","kid":"k1","crit":"# + crit + "}"
                let claims = Self.claims(signer.id, audience: endpoint, now: deployment.clock.now)
                let answer = try await Self.post(deployment, endpoint, assertion: try signer.assertion(header: header, claims: claims),
                                                 extra: [("grant_type", "client_credentials")])
                BadInputTests.expectRejection(answer, status: 400, error: "invalid_client", mentioning: "crit", "RFC 7515 §4.1.11")
            }
        }
    }

    @Test func duplicateMembersInHeaderOrClaimsAreRefusedHoweverTheyAreSpelled() async throws {
        try await TestDeployment.with { deployment in
            let signer = try await Self.signer(deployment)
            let endpoint = deployment.defaultURLs.tokenEndpoint
            let valid = Self.claims(signer.id, audience: endpoint, now: deployment.clock.now)
            let cases: [(header: String?, claims: String, name: String)] = [
                (#"{"alg":"none","alg":"ES256","kid":"k1"}"#, valid, "alg"),
                (#"{"alg":"ES256","kid":"k1","kid":"k1"}"#, valid, "kid"),
                (nil, String(valid.dropLast()) + #","sub":"someone-else"}"#, "sub"),
                (nil, String(valid.dropLast()) + #","\u0073ub":"someone-else"}"#, "sub"),
                (nil, String(valid.dropLast()) + #","jti":"second"}"#, "jti"),
            ]
            for (header, claims, name) in cases {
                let answer = try await Self.post(deployment, endpoint, assertion: try signer.assertion(header: header, claims: claims),
                                                 extra: [("grant_type", "client_credentials")])
                BadInputTests.expectRejection(answer, status: 400, error: "invalid_client", mentioning: "\"\(name)\" appears twice")
            }
        }
    }

    @Test func nonCanonicalBase64URLIsRefusedInAssertionsAndInactiveAtIntrospection() async throws {
        try await TestDeployment.with { deployment in
            let signer = try await Self.signer(deployment)
            let urls = deployment.defaultURLs
            func fresh() throws -> String {
                try signer.assertion(claims: Self.claims(signer.id, audience: urls.tokenEndpoint, now: deployment.clock.now))
            }
            let parts = try fresh().split(separator: ".").map(String.init)
            let spellings = [
                try fresh() + "=", try fresh() + "==",
                HandMadeJWS.withStrayBits(try fresh()),
                parts[0] + "=." + parts[1] + "." + parts[2],
            ]
            for assertion in spellings {
                let answer = try await Self.post(deployment, urls.tokenEndpoint, assertion: assertion, extra: [("grant_type", "client_credentials")])
                BadInputTests.expectRejection(answer, status: 400, error: "invalid_client", mentioning: "not a well-formed JWT")
                #expect(answer.description.contains("padding") || answer.description.contains("bits past its last byte"), "\(answer.description)")
            }

            let api = try await deployment.register(.clientSecretPost)
            let token = try #require(try await AccessTokenTests.token(deployment, client: api).accessToken)
            for spelling in [token + "=", HandMadeJWS.withStrayBits(token)] {
                #expect(spelling != token)
                let answer = try await deployment.http { http in
                    try await http.post(path(urls.introspectionEndpoint), form: [("token", spelling), ("client_id", api.id), ("client_secret", api.secret ?? "")])
                }
                #expect(answer.status == 200 && answer.json["active"] as? Bool == false, "\(answer.text)")
            }
            let events = try await deployment.events(EventQuery(reason: ReasonCode.tokenMalformed.rawValue))
            #expect(events.count == 2)
        }
    }

    @Test func aCredentialParameterInBothQueryAndBodyIsRefusedEvenWithTheSameValue() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretPost)
            let endpoint = path(deployment.defaultURLs.tokenEndpoint) + "?client_id=" + client.id
            let answer = try await deployment.http { http in
                try await http.post(endpoint, form: [("grant_type", "client_credentials"), ("client_id", client.id), ("client_secret", client.secret ?? "")])
            }
            BadInputTests.expectRejection(answer, status: 400, error: "invalid_request",
                                          mentioning: "\"client_id\" appears in both the query string and the body (with the same value)")
        }
    }

    @Test func everyUnauthorizedAnswerCarriesAChallengeAndBodyCredentialsGet400() async throws {
        try await TestDeployment.with { deployment in
            let post = try await deployment.register(.clientSecretPost)
            let basic = try await deployment.register(.clientSecretBasic)
            let signer = try await Self.signer(deployment)
            let endpoint = deployment.defaultURLs.tokenEndpoint
            let wrongAudience = try signer.assertion(claims: Self.claims(signer.id, audience: "https://elsewhere.example", now: deployment.clock.now))
            let answers = try await deployment.http { http in [
                try await http.post(path(endpoint), form: [("grant_type", "client_credentials"), ("client_id", post.id), ("client_secret", "wrong")]),
                try await http.post(path(endpoint), form: [("grant_type", "client_credentials"), ("client_assertion_type", HTTPDriver.assertionType),
                                                           ("client_assertion", wrongAudience)]),
                try await http.post(path(endpoint), form: [("grant_type", "client_credentials")], headers: HTTPDriver.basic(basic.id, "wrong")),
            ] }
            #expect(answers.map(\.status) == [400, 400, 401])
            for answer in answers {
                #expect(answer.error == "invalid_client")
                if answer.status == 401 {
                    #expect(answer.header("WWW-Authenticate") == "Basic realm=\"tessera\", error=\"invalid_client\"")
                } else {
                    #expect(answer.header("WWW-Authenticate") == nil)
                }
            }
        }
    }

    @Test func headAndOptionsOnPostEndpointsAnswer405And204WithAllow() async throws {
        try await TestDeployment.with { deployment in
            let urls = deployment.defaultURLs
            try await deployment.http { http in
                for endpoint in [urls.tokenEndpoint, urls.introspectionEndpoint, urls.revocationEndpoint] {
                    let head = try await http.send(path(endpoint), method: .head, headers: [:], body: nil)
                    #expect(head.status == 405, "\(endpoint)")
                    #expect(head.header("Allow") == "POST, OPTIONS")
                    let options = try await http.send(path(endpoint), method: .options, headers: [:], body: nil)
                    #expect(options.status == 204, "\(endpoint)")
                    #expect(options.header("Allow") == "POST, OPTIONS")
                }
                let discovery = try await http.send("/oauth2/default/.well-known/openid-configuration", method: .head, headers: [:], body: nil)
                #expect(discovery.status == 200, "HEAD answers as GET does")
                let keys = try await http.send(path(urls.jwksURI), method: .options, headers: [:], body: nil)
                #expect(keys.header("Allow") == "GET, HEAD, OPTIONS")
            }
        }
    }

    @Test func assertionTypedAsAnotherKindOfJWTOrAimedAlsoAtAForeignAudienceIsRefused() async throws {
        try await TestDeployment.with { deployment in
            let signer = try await Self.signer(deployment)
            let endpoint = deployment.defaultURLs.tokenEndpoint
            let claims = { Self.claims(signer.id, audience: endpoint, now: deployment.clock.now) }
            for typ in ["at+jwt", "application/at+JWT", "id_token+jwt", "logout+jwt", "secevent+jwt"] {
                let header = #"{"alg":"ES256","kid":"k1","typ":""# + typ + #""}"#
                let answer = try await Self.post(deployment, endpoint, assertion: try signer.assertion(header: header, claims: claims()),
                                                 extra: [("grant_type", "client_credentials")])
                BadInputTests.expectRejection(answer, status: 400, error: "invalid_client", mentioning: "typ \"\(typ)\" names another kind of JWT")
            }
            for header in [#"{"alg":"ES256","kid":"k1"}"#, #"{"alg":"ES256","kid":"k1","typ":"jwt"}"#,
                           #"{"alg":"ES256","kid":"k1","typ":"client-authentication+jwt"}"#] {
                let answer = try await Self.post(deployment, endpoint, assertion: try signer.assertion(header: header, claims: claims()),
                                                 extra: [("grant_type", "client_credentials")])
                #expect(answer.status == 200, "\(header): \(answer.text)")
            }
            let both = Self.claims(signer.id, audience: endpoint, now: deployment.clock.now, ["aud": #"["\#(endpoint)","https://api.other.example"]"#])
            let foreign = try await Self.post(deployment, endpoint, assertion: try signer.assertion(claims: both), extra: [("grant_type", "client_credentials")])
            BadInputTests.expectRejection(foreign, status: 400, error: "invalid_client",
                                          mentioning: "\"https://api.other.example\" is not this server's; every aud value must be")
            let ours = Self.claims(signer.id, audience: endpoint, now: deployment.clock.now, ["aud": #"["\#(endpoint)","\#(deployment.defaultURLs.issuer)"]"#])
            let accepted = try await Self.post(deployment, endpoint, assertion: try signer.assertion(claims: ours), extra: [("grant_type", "client_credentials")])
            #expect(accepted.status == 200, "an aud naming only this server's URLs is fine: \(accepted.text)")
        }
    }
}
