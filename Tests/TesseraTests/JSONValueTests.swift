import Foundation
import JWTKit
import Testing
import TesseraCore
import TesseraJWT
import TesseraResourceServer
import TesseraStore
import TesseraJSON

/// Claim values keep their JSON type through decoding (booleans stay booleans, numbers numbers), and the
/// token reader (`ParsedJWT` and `JSONObjectDecodable`, on the verification paths) agrees with `JSONDecoder`.
@Suite struct JSONValueTests {
    static let document = #"{"s":"true","n":7,"f":1.5,"b":true,"one":1,"z":null,"a":["x",1,false],"o":{"k":"v"}}"#
    static var data: Data { Data(document.utf8) }

    @Test func serverClaimValuesKeepTheirTypes() throws {
        let value = try JSONDecoder().decode([String: JSONValue].self, from: Self.data)
        #expect(value["s"] == .string("true"))
        #expect(value["n"] == .number(7))
        #expect(value["f"] == .number(1.5))
        #expect(value["b"] == .bool(true))
        #expect(value["one"] == .number(1))
        #expect(value["z"] == .null)
        #expect(value["a"] == .array([.string("x"), .number(1), .bool(false)]))
        #expect(value["o"] == .object(["k": .string("v")]))
    }

    @Test func writerWritesWholeNumbersAsIntegerDigitsAndOthersAsDecimals() {
        func written(_ number: Double) -> String { String(decoding: JSONWriter.object([("n", .number(number))]), as: UTF8.self) }
        for whole: Int64 in [0, 7, -7, 10, 1_764_504_000, 999_999_999_999_999, -999_999_999_999_999] {
            #expect(written(Double(whole)) == "{\"n\":\(whole)}")
        }
        #expect(written(1.5) == #"{"n":1.5}"#)
        #expect(written(1e15) == #"{"n":1000000000000000.0}"#)
        #expect(written(.infinity) == #"{"n":null}"#)
    }

    @Test func eventDetailIsWrittenWithSortedKeysAndEscapesAndReadsBackUnchanged() {
        #expect(ColumnText.map([:]) == "{}")
        #expect(ColumnText.map(["via": "client_auth", "jti": "AT.1", "b": "x"]) == #"{"b":"x","jti":"AT.1","via":"client_auth"}"#)
        let awkward = ["quote": "say \"hi\"", "path": "a\\b/c", "lines": "one\ntwo\tthree\u{1}", "unicode": "café ✓", "": "empty key"]
        let text = ColumnText.map(awkward)
        #expect(ColumnText.map(from: text) == awkward)
        #expect(text.hasPrefix(#"{"":"empty key","lines":"one\ntwo\tthree\u0001","path":"a\\b/c","quote":"say \"hi\"","unicode":"café ✓"}"#))
    }

    @Test func resourceServerClaimValuesKeepTheirTypes() throws {
        let value = try JSONDecoder().decode([String: ClaimValue].self, from: Self.data)
        #expect(value["s"] == .string("true"))
        #expect(value["n"] == .number(7))
        #expect(value["b"] == .bool(true))
        #expect(value["z"] == .null)
        #expect(value["a"] == .array([.string("x"), .number(1), .bool(false)]))
        #expect(value["o"] == .object(["k": .string("v")]))
    }

    @Test func tokenDecoderGivesTheSameClaimsAsJSONDecoder() throws {
        let server = try decode(AccessTokenPayload.self, Self.data).claims
        #expect(server == (try JSONDecoder().decode([String: JSONValue].self, from: Self.data)))
        #expect(server["b"] == .bool(true) && server["one"] == .number(1), "true and 1 stay apart")
        let library = try Self.data.withUnsafeBytes { try Members(json: $0).members }
        #expect(library == (try JSONDecoder().decode([String: ClaimValue].self, from: Self.data)))
    }

    @Test func tokenDecoderGivesTheSameHeaderAsJSONDecoder() throws {
        let header = Data(#"{"alg":"ES256","kid":"k1","typ":"at+jwt","n":7,"f":1.5,"b":false,"jwk":{"kty":"EC"},"z":null}"#.utf8)
        let token = Base64URL.encode(header) + "." + Base64URL.encode(Array("{}".utf8)) + "." + Base64URL.encode([1, 2, 3])
        let fast = try ParsedJWT<Members>(parsing: token).header
        #expect(fast.fields == (try JSONDecoder().decode(JWTHeader.self, from: header)).fields)
        #expect(fast.alg == "ES256" && fast.fields["n"] == .int(7) && fast.fields["f"] == .decimal(1.5) && fast.fields["b"] == .bool(false))
    }

    @Test func tokenDecoderRefusesDuplicateClaimsAsRFC7519Allows() throws {
        // RFC 7519 §4: reject duplicate claim names or keep the last one. Another library may keep the first
        // (JSONDecoder does), so Tessera rejects: no two readers can see different claims.
        #expect(throws: JSONError.self) {
            try decode(AccessTokenPayload.self, Data(#"{"iss":"https://a.example","iss":"https://b.example"}"#.utf8))
        }
        #expect(throws: JSONError.self) { try decode(AccessTokenPayload.self, Data(#"{"sub":"a","\u0073ub":"b"}"#.utf8)) }
        #expect(throws: JSONError.self) { try decode(AccessTokenPayload.self, Data(#"{"o":{"k":1,"k":2}}"#.utf8)) }
    }

    @Test func tokenDecoderRefusesNonObjectsAndDeepNesting() {
        #expect(throws: (any Error).self) { try decode(AccessTokenPayload.self, Data(#"["iss"]"#.utf8)) }
        #expect(throws: (any Error).self) { try decode(AccessTokenPayload.self, Data("not json".utf8)) }
        let deep = String(repeating: #"{"a":"#, count: 40) + "1" + String(repeating: "}", count: 40)
        #expect(throws: JSONError.self) { try decode(AccessTokenPayload.self, Data(deep.utf8)) }
        let deepHeader = Base64URL.encode(Array(deep.utf8)) + "." + Base64URL.encode(Array("{}".utf8)) + ".AQID"
        #expect(throws: JWTError.self) { try ParsedJWT<Members>(parsing: deepHeader) }
    }

    @Test func assertionClaimOfTheWrongTypeMakesTheAssertionMalformed() throws {
        let good = try decode(AssertionClaims.self, Data(#"{"iss":"c","sub":"c","aud":["a","b"],"exp":1800000060,"iat":1800000000,"jti":"j"}"#.utf8))
        #expect(good == AssertionClaims(iss: "c", sub: "c", aud: AudienceList(["a", "b"]), exp: 1_800_000_060, iat: 1_800_000_000, jti: "j"))
        #expect(try decode(AssertionClaims.self, Data(#"{"aud":"a"}"#.utf8)).aud == AudienceList(["a"]))
        for bad in [#"{"exp":"soon"}"#, #"{"exp":true}"#, #"{"iss":7}"#, #"{"aud":["a",1]}"#, #"{"aud":{"a":1}}"#] {
            #expect(throws: JSONError.self, "\(bad)") { try decode(AssertionClaims.self, Data(bad.utf8)) }
        }
    }
}

/// `data` read as `T`, through the entry point the token parser uses.
func decode<T: JSONObjectDecodable>(_: T.Type, _ data: Data) throws -> T {
    try data.withUnsafeBytes { try T(json: $0) }
}

/// Every member of a JSON object, through the same entry point claim sets use.
struct Members: JSONObjectDecodable {
    var members: [String: JSONValue]
    init(members: [String: JSONValue]) { self.members = members }
}
