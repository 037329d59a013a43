import Foundation
import PropertyBased
import Testing
import TesseraCore
import TesseraHTTP
import TesseraJSON
import TesseraStore
import TesseraWire

/// The leaf formats every part shares (`TesseraWire`, `TesseraJSON`): form encoding both ways, the Basic
/// header a client builds and the server reads, the Bearer challenge, and metadata rendered by the one
/// JSON writer exactly as `JSONEncoder` rendered it before.
@Suite struct WireFormatTests {
    @Test func formEncodingReadsBackWhatItWroteForAnyText() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...0x2FFF).array(of: 0...24)) { codes in
            let text = String(String.UnicodeScalarView(codes.compactMap { Unicode.Scalar(UInt32($0)) }))
            let encoded = FormURLEncoding.encodeComponent(text)
            #expect(encoded.utf8.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "&") && $0 != UInt8(ascii: "=") })
            #expect(FormURLEncoding.decodeComponent(encoded) == text)
        }
    }

    @Test func formEncodingKeepsUnreservedBytesAndWritesSpacesAsPlus() {
        #expect(FormURLEncoding.encode([("grant_type", "client_credentials"), ("scope", "orders.read orders:write")])
                == "grant_type=client_credentials&scope=orders.read+orders%3Awrite")
        #expect(FormURLEncoding.encodeComponent("a*b-c.d_e~f+g/h") == "a*b-c.d_e%7Ef%2Bg%2Fh")
        #expect(FormURLEncoding.encodeComponent("café") == "caf%C3%A9", "non-ASCII letters are percent-encoded as UTF-8")
    }

    @Test func basicHeaderOfAClientIsReadBackByTheServer() throws {
        for (id, secret) in [("0oa1", "s3cr3t"), ("id with:colon", "p@ss:word+/="), ("ü", "")] {
            let header = AuthorizationHeader.basic(clientID: id, secret: secret)
            #expect(header.hasPrefix("Basic "))
            let read = try #require(try BasicCredentials.parse(authorizationHeader: header))
            #expect(read.clientID == id && read.secret == secret)
        }
    }

    @Test func bearerChallengeQuotesOnlyWhatRFC6750Allows() {
        let challenge = BearerChallenge(realm: "tessera", error: "invalid_token",
                                        errorDescription: "the token's \"aud\" is C:\\x, not ✓\n", scope: "orders.read")
        #expect(challenge.headerValue == #"Bearer realm="tessera", error="invalid_token", error_description="the token's 'aud' is C:/x, not ??", scope="orders.read""#)
        #expect(BearerChallenge(realm: "api://orders").headerValue == #"Bearer realm="api://orders""#)
    }

    @Test func discoveryDocumentBytesAreWhatJSONEncoderWroteWithSortedKeys() throws {
        let server = AuthorizationServer(name: "default", audiences: ["api://default"], createdAt: Date(timeIntervalSince1970: 0))
        for client in [nil, Client(id: "0oa1", server: "default", name: "c", authMethod: .privateKeyJWT, createdAt: Date(timeIntervalSince1970: 0)),
                       Client(id: "0oa2", server: "default", name: "c", authMethod: .clientSecretBasic, createdAt: Date(timeIntervalSince1970: 0))] {
            let metadata = ServerMetadata(server: server, publicURL: "https://auth.example.com", grantTypes: ["client_credentials"],
                                          scopes: ["orders.read"], client: client)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            #expect(JSONWriter.object(metadata.members) == Array(try encoder.encode(metadata)))
        }
    }

    @Test func optionValuesAreJSONWhenTheyReadAsJSONAndTextOtherwise() {
        #expect(JSONValue.parseOptionValue("7") == .number(7))
        #expect(JSONValue.parseOptionValue("true") == .bool(true))
        #expect(JSONValue.parseOptionValue(#"{"id":7,"tags":["a"]}"#) == .object(["id": .number(7), "tags": .array([.string("a")])]))
        #expect(JSONValue.parseOptionValue("prod") == .string("prod"))
        #expect(JSONValue.parseOptionValue("7 days") == .string("7 days"), "a value followed by more text is text")
    }
}
