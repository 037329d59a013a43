import Foundation
import AsyncHTTPClient
import NIOCore
import HTTPTypes
import Testing
import TesseraCore
import TesseraHTTP
import TesseraStore

/// Bad input gets a clear 4xx with the RFC code, a description and a request id: never a 500.
@Suite struct BadInputTests {
    @Test func basicHeaderParsingSaysWhatIsWrongWithEachMalformedHeader() throws {
        func b64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
        func b64(_ text: String) -> String { b64(Array(text.utf8)) }
        let cases: [(String, String)] = [
            ("Bearer abc", "nil"), ("", "nil"), ("   ", "nil"), ("Basicx \(b64("a:b"))", "nil"),
            ("Basic", "not base64"), ("Basic ", "not base64"), ("Basic !!!notbase64", "not base64"),
            ("BASIC \(b64("a:b"))", "a|b"), ("  basic   \(b64("a:b"))  ", "a|b"),
            ("Basic \(b64("just-an-id"))", "no ':'"), ("Basic \(b64("%zz:b"))", "percent-encoding"),
            ("Basic \(b64(":secret"))", "client id is empty"), ("Basic \(b64("id%3A1:se%3Acret:x"))", "id:1|se:cret:x"),
            ("Basic YStiOmMgZA=X", "not base64"), ("Basic YTpi=", "not base64"), ("Basic YTpiYw====", "not base64"),
            ("Basic \(b64([0xFF, 0x3A, 0x61]))", "not UTF-8"), ("Basic \(b64("a+b:c+d"))", "a b|c d"), ("Basic \(b64("é:ü"))", "é|ü"),
        ]
        for (header, expected) in cases {
            do {
                let parsed = try BasicCredentials.parse(authorizationHeader: header)
                #expect((parsed.map { "\($0.clientID)|\($0.secret)" } ?? "nil") == expected, "\(header)")
            } catch {
                #expect(error.reason == .clientAuthMalformedBasic && error.description.contains(expected), "\(header): \(error.description)")
            }
        }
    }

    static let token = "/oauth2/default/v1/token"

    /// Checks the shape every rejection must have and returns it.
    @discardableResult
    static func expectRejection(_ answer: HTTPDriver.Answer, status: Int, error: String, mentioning words: String...) -> HTTPDriver.Answer {
        #expect(answer.status == status, "\(answer.text)")
        #expect(answer.error == error, "\(answer.text)")
        for word in words { #expect(answer.description.contains(word), "\(answer.description) should mention \(word)") }
        let requestID = answer.json["request_id"] as? String
        #expect(requestID?.isEmpty == false)
        #expect(requestID == answer.header("X-Request-Id"))
        #expect(answer.header("Cache-Control") == "no-store")
        return answer
    }

    @Test func anAuthorizationHeaderSentTwiceIsRejectedAsMalformedNotReadHalfway() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretBasic)
            var twice = HTTPDriver.basic(client.id, client.secret ?? "")
            twice.append(HTTPField(name: .authorization, value: twice[.authorization] ?? ""))
            let headers = twice
            let answer = try await deployment.http { http in
                try await http.post(Self.token, form: [("grant_type", "client_credentials")], headers: headers)
            }
            Self.expectRejection(answer, status: 401, error: "invalid_client", mentioning: "Authorization: Basic header is malformed", "not base64")
        }
    }

    @Test func aPrivateKeyClientSendingOnlyItsClientIDIsToldToSendAnAssertion() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.privateKeyJWT)
            let answer = try await deployment.http { http in
                try await http.post(Self.token, form: [("grant_type", "client_credentials"), ("client_id", client.id)])
            }
            Self.expectRejection(answer, status: 400, error: "invalid_client",
                                 mentioning: "client \(client.id) authenticates with private_key_jwt; the request carried no client_assertion",
                                 "client_assertion_type")
        }
    }

    @Test func wrongContentTypeIsRejected() async throws {
        try await TestDeployment.with { deployment in
            let (json, none) = try await deployment.http { http in
                (try await http.postRaw(Self.token, bytes: Array(#"{"grant_type":"client_credentials"}"#.utf8), contentType: "application/json"),
                 try await http.postRaw(Self.token, bytes: Array("grant_type=client_credentials".utf8), contentType: nil))
            }
            Self.expectRejection(json, status: 400, error: "invalid_request", mentioning: "application/json", "application/x-www-form-urlencoded")
            Self.expectRejection(none, status: 400, error: "invalid_request", mentioning: "no Content-Type")
        }
    }

    @Test func formMediaTypeIsMatchedCaseInsensitivelyWithParametersAndNothingLonger() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretPost)
            let body = Array(HTTPDriver.encode([("grant_type", "client_credentials"), ("client_id", client.id), ("client_secret", client.secret ?? "")]).utf8)
            let accepted = ["Application/X-WWW-Form-URLEncoded; charset=UTF-8", " application/x-www-form-urlencoded ;charset=utf-8", "application/x-www-form-urlencoded\t"]
            let refused = ["application/x-www-form-urlencodedx", "application/x-www-form-urlencoded-extra", "text/plain; application/x-www-form-urlencoded", "application/x-www-form-urlencode"]
            for contentType in accepted {
                let answer = try await deployment.http { http in try await http.postRaw(Self.token, bytes: body, contentType: contentType) }
                #expect(answer.status == 200, "\(contentType): \(answer.text)")
            }
            for contentType in refused {
                let answer = try await deployment.http { http in try await http.postRaw(Self.token, bytes: body, contentType: contentType) }
                Self.expectRejection(answer, status: 400, error: "invalid_request", mentioning: contentType, "application/x-www-form-urlencoded")
            }
        }
    }

    @Test func bodyOver64KiBIsRejected() async throws {
        try await TestDeployment.with { deployment in
            let answer = try await deployment.http { http in
                try await http.postRaw(Self.token, bytes: Array(("grant_type=client_credentials&pad=" + String(repeating: "a", count: 70_000)).utf8))
            }
            Self.expectRejection(answer, status: 413, error: "invalid_request", mentioning: "64 KiB")
        }
    }

    @Test func aFormBodyArrivingInManyReadsOverARealSocketIsReadWhole() async throws {
        try await LiveServer.with { deployment, base in
            let client = try await deployment.register(.clientSecretPost)
            // ~60 KiB: the server's socket reads it in several buffers, which the form reader must join in order.
            let pad = String(repeating: "p", count: 60_000)
            var request = HTTPClientRequest(url: base + Self.token)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: "pad=\(pad)&grant_type=client_credentials&client_id=\(client.id)&client_secret=\(client.secret ?? "")"))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(response.status.code == 200, "\(body)")
            #expect(body.contains("\"access_token\""))
        }
    }

    @Test func invalidUTF8AndPercentEncodingAreRejected() async throws {
        try await TestDeployment.with { deployment in
            let answers = try await deployment.http { http in
                [try await http.postRaw(Self.token, bytes: Array("grant_type=client_credentials&scope=".utf8) + [0xFF, 0xFE]),
                 try await http.postRaw(Self.token, bytes: Array("grant_type=client_credentials&scope=%FF%FE".utf8)),
                 try await http.postRaw(Self.token, bytes: Array("grant_type=client_credentials&scope=%G1".utf8)),
                 try await http.postRaw(Self.token, bytes: Array("grant_type=client_credentials&scope=%2".utf8))]
            }
            for answer in answers {
                Self.expectRejection(answer, status: 400, error: "invalid_request", mentioning: "percent-encoding")
            }
        }
    }

    @Test func duplicatedParameterIsRejected() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.privateKeyJWT)
            let (body, conflict) = try await deployment.http { http in
                (try await http.post(Self.token, form: [("grant_type", "client_credentials"), ("scope", "orders.read"), ("scope", "orders.write")]),
                 try await http.post(Self.token + "?client_id=someone-else", form: [("grant_type", "client_credentials"), ("client_id", client.id)]))
            }
            Self.expectRejection(body, status: 400, error: "invalid_request", mentioning: "\"scope\" appears more than once")
            Self.expectRejection(conflict, status: 400, error: "invalid_request", mentioning: "\"client_id\"", "query string")
        }
    }

    @Test func missingAndUnknownGrantTypesAreRejected() async throws {
        try await TestDeployment.with { deployment in
            let (missing, unknown) = try await deployment.http { http in
                (try await http.post(Self.token, form: [("scope", "orders.read")]),
                 try await http.post(Self.token, form: [("grant_type", "password"), ("username", "u"), ("password", "p")]))
            }
            Self.expectRejection(missing, status: 400, error: "invalid_request", mentioning: "no grant_type", "client_credentials")
            Self.expectRejection(unknown, status: 400, error: "unsupported_grant_type", mentioning: "\"password\"", "client_credentials")
        }
    }

    @Test func getOnTheTokenEndpointIs405() async throws {
        try await TestDeployment.with { deployment in
            let answer = try await deployment.http { http in try await http.get(Self.token) }
            Self.expectRejection(answer, status: 405, error: "invalid_request", mentioning: "GET", "POST")
            #expect(answer.header("Allow") == "POST, OPTIONS")
        }
    }

    @Test func malformedBasicHeaderIsInvalidClientWithChallenge() async throws {
        try await TestDeployment.with { deployment in
            let (garbage, noColon) = try await deployment.http { http in
                (try await http.post(Self.token, form: [("grant_type", "client_credentials")], headers: [.authorization: "Basic !!!notbase64"]),
                 try await http.post(Self.token, form: [("grant_type", "client_credentials")],
                                     headers: [.authorization: "Basic " + Data("just-an-id".utf8).base64EncodedString()]))
            }
            Self.expectRejection(garbage, status: 401, error: "invalid_client", mentioning: "not base64")
            Self.expectRejection(noColon, status: 401, error: "invalid_client", mentioning: "no ':'")
            #expect(garbage.header("WWW-Authenticate")?.hasPrefix("Basic") == true)
        }
    }

    @Test func unknownClientAndNoCredentialsAreExplained() async throws {
        try await TestDeployment.with { deployment in
            let (unknown, nothing) = try await deployment.http { http in
                (try await http.post(Self.token, form: [("grant_type", "client_credentials"), ("client_id", "ghost"), ("client_secret", "x")]),
                 try await http.post(Self.token, form: [("grant_type", "client_credentials")]))
            }
            Self.expectRejection(unknown, status: 400, error: "invalid_client", mentioning: "no client \"ghost\"")
            Self.expectRejection(nothing, status: 400, error: "invalid_client", mentioning: "no client authentication")
            #expect(nothing.header("WWW-Authenticate") == nil, "no Authorization header was tried")
        }
    }

    @Test func unknownPathIsAJSON404() async throws {
        try await TestDeployment.with { deployment in
            let answer = try await deployment.http { http in try await http.get("/oauth2/default/v1/nothing-here") }
            Self.expectRejection(answer, status: 404, error: "not_found", mentioning: "/oauth2/default/v1/nothing-here")
        }
    }

    @Test func everyErrorDescriptionIsFreeOfSecretsAndWholeAssertions() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretJWT)
            let secret = try #require(client.secret)
            var claims = deployment.claims(for: client.id, audience: "https://wrong.example.com")
            claims.jti = "jti-1"
            let assertion = try await ClientKeyPair.signAssertion(claims, secret: secret)
            let answers = try await deployment.http { http in
                [try await http.post(Self.token, form: [("grant_type", "client_credentials"), ("client_assertion_type", HTTPDriver.assertionType), ("client_assertion", assertion)]),
                 try await http.post(Self.token, form: [("grant_type", "client_credentials"), ("client_id", client.id), ("client_secret", secret)]),
                 try await http.post(Self.token, form: [("grant_type", "client_credentials"), ("client_assertion_type", "x"), ("client_assertion", assertion)])]
            }
            for answer in answers {
                #expect(answer.status == 401 || answer.status == 400)
                #expect(!answer.text.contains(secret))
                #expect(!answer.text.contains(assertion))
            }
        }
    }
}
