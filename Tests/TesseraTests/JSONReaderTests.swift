import Crypto
import Foundation
import JWTKit
import Testing
import TesseraCore
import TesseraJWT
import TesseraResourceServer
import TesseraJSON

/// The one JSON reader (token headers and claim sets, stored columns, fetched documents): the same values as Foundation for valid JSON,
/// and never more lenient than Foundation (a claim set is security-relevant input).
@Suite struct JSONReaderTests {
    static func read(_ text: String) throws -> [String: JSONValue] {
        try read(Array(text.utf8))
    }

    static func read(_ bytes: [UInt8]) throws -> [String: JSONValue] {
        try JSONReader.object(in: bytes)
    }

    /// What Foundation makes of `bytes`, as the reader's values; nil when Foundation refuses it.
    static func foundation(_ bytes: [UInt8]) -> [String: JSONValue]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return nil }
        return object.mapValues(node)
    }

    static func node(_ value: Any) -> JSONValue {
        switch value {
        case let string as String: return .string(string)
        case let number as NSNumber:
            return ObjectIdentifier(type(of: number)) == ObjectIdentifier(type(of: NSNumber(value: true))) ? .bool(number.boolValue) : .number(number.doubleValue)
        case let array as [Any]: return .array(array.map(node))
        case let object as [String: Any]: return .object(object.mapValues(node))
        default: return .null
        }
    }

    static let valid = [
        #"{}"#,
        #" { "a" : 1 , "b":[ ] ,"c":{ } } "#,
        "{\n\t\"iss\":\r\n\"https://auth.example.com/oauth2/default\"}",
        #"{"n":0,"m":-0,"i":-12,"big":123456789012345678,"f":1.5,"e":1e3,"E":-2.5E-2,"p":1E+2,"t":1800000000}"#,
        #"{"s":"","q":"a\"b\\c\/d","c":"\b\f\n\r\t","u":"\u00e9\u20ac","pair":"\ud83d\ude00","raw":"é€😀"}"#,
        #"{"b":true,"f":false,"z":null,"a":["x",1,false,null,[[]],{"k":{"l":"m"}}]}"#,
        #"{"aud":["api://orders","api://billing"],"scope":"orders.read orders.write","cnf":{"jkt":"abc"}}"#,
    ]

    @Test func validDocumentsReadAsFoundationReadsThem() throws {
        for text in Self.valid {
            let ours = try Self.read(text)
            #expect(ours == Self.foundation(Array(text.utf8)), "\(text)")
        }
        #expect(try Self.read(#"{"pair":"\ud83d\ude00"}"#)["pair"] == .string("😀"))
        #expect(try Self.read(#"{"n":1e3,"t":1800000000}"#) == ["n": .number(1000), "t": .number(1_800_000_000)])
    }

    @Test func malformedDocumentsAreRefusedWithAReason() {
        let malformed: [(String, [UInt8])] = [
            ("trailing comma in an object", Array(#"{"a":1,}"#.utf8)),
            ("trailing comma in an array", Array(#"{"a":[1,]}"#.utf8)),
            ("leading zero", Array(#"{"a":01}"#.utf8)),
            ("fraction without digits", Array(#"{"a":1.}"#.utf8)),
            ("fraction without an integer part", Array(#"{"a":.5}"#.utf8)),
            ("plus sign", Array(#"{"a":+1}"#.utf8)),
            ("exponent without digits", Array(#"{"a":1e}"#.utf8)),
            ("lone minus", Array(#"{"a":-}"#.utf8)),
            ("number out of range", Array(#"{"a":1e400}"#.utf8)),
            ("unescaped control character", Array("{\"a\":\"x\ny\"}".utf8)),
            ("unknown escape", Array(#"{"a":"\x"}"#.utf8)),
            ("short unicode escape", Array(#"{"a":"\u12"}"#.utf8)),
            ("lone high surrogate", Array(#"{"a":"\ud800"}"#.utf8)),
            ("lone low surrogate", Array(#"{"a":"\udc00"}"#.utf8)),
            ("high surrogate before a non-surrogate", Array(#"{"a":"\ud800\u0041"}"#.utf8)),
            ("invalid UTF-8", Array(#"{"a":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)),
            ("truncated string", Array(#"{"a":"abc"#.utf8)),
            ("truncated object", Array(#"{"a":1"#.utf8)),
            ("content after the object", Array(#"{"a":1}}"#.utf8)),
            ("two objects", Array(#"{}{}"#.utf8)),
            ("unquoted member name", Array(#"{a:1}"#.utf8)),
            ("single quotes", Array(#"{'a':1}"#.utf8)),
            ("missing colon", Array(#"{"a" 1}"#.utf8)),
            ("misspelt literal", Array(#"{"a":tru}"#.utf8)),
            ("NaN", Array(#"{"a":NaN}"#.utf8)),
            ("comment", Array(#"{"a":1 /* c */}"#.utf8)),
            ("not an object", Array(#"["a"]"#.utf8)),
            ("empty input", []),
        ]
        for (what, bytes) in malformed {
            #expect(throws: JSONError.self, "\(what)") { try Self.read(bytes) }
        }
        let error = #expect(throws: JSONError.self) { try Self.read(#"{"a":01}"#) }
        #expect(error?.description == "invalid JSON at byte 6: expected a comma or the end of the object")
    }

    @Test func nestingIsLimited() throws {
        let limit = JSONReader.maximumDepth
        // The object's members sit at depth 1, so `limit` nested arrays reach the limit exactly.
        let atLimit = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(try Self.read(#"{"a":\#(atLimit)}"#)["a"] != nil)
        let over = "[" + atLimit + "]"
        #expect(throws: JSONError.self) { try Self.read(#"{"a":\#(over)}"#) }
    }

    /// Thousands of mutated claim sets (bytes replaced, inserted, deleted, truncated; a fixed seed so a
    /// failure reproduces): whenever Foundation refuses one, so does the reader, and whenever both
    /// accept one, they agree on every value.
    @Test func mutatedDocumentsAreNeverReadMoreLenientlyThanByFoundation() {
        var random = SplitMix64(seed: 0x7E55E2A)
        let alphabet = Array(#"{}[]:,"\/ -+.eE0123456789abcdefnrtu"#.utf8) + [0x00, 0x0A, 0x7F, 0xC3, 0xA9, 0xFF]
        var bothAccepted = 0
        var bothRefused = 0
        for round in 0..<6000 {
            var bytes = Array(Self.valid[round % Self.valid.count].utf8)
            for _ in 0...(random.next() % 3) where !bytes.isEmpty {
                let at = Int(random.next() % UInt64(bytes.count))
                let byte = alphabet[Int(random.next() % UInt64(alphabet.count))]
                switch random.next() % 4 {
                case 0: bytes[at] = byte
                case 1: bytes.insert(byte, at: at)
                case 2: bytes.remove(at: at)
                default: bytes.removeSubrange(at...)
                }
            }
            let theirs = Self.foundation(bytes)
            let ours = try? Self.read(bytes)
            if theirs == nil {
                #expect(ours == nil, "accepted what Foundation refuses: \(String(decoding: bytes, as: UTF8.self))")
                bothRefused += 1
            } else if let ours {
                #expect(ours == theirs, "read differently: \(String(decoding: bytes, as: UTF8.self))")
                bothAccepted += 1
            }
        }
        // The mutations must exercise both sides, or the test proves nothing.
        #expect(bothAccepted > 500 && bothRefused > 1000, "accepted \(bothAccepted), refused \(bothRefused)")
    }
}

/// `ParsedJWT` splits and decodes the compact serialisation itself: it must accept and refuse exactly
/// what jwt-kit's parser does, and read the same header, claims and signature.
@Suite struct ParsedJWTTests {
    static let header = Base64URL.encode(Array(#"{"alg":"ES256","kid":"k1","typ":"at+jwt"}"#.utf8))
    static let claims = Base64URL.encode(Array(#"{"iss":"https://a.example","exp":1800000000,"aud":["x","y"],"ext":{"k":[1,true]}}"#.utf8))
    static let signature = Base64URL.encode(Array(0..<64).map(UInt8.init))

    @Test func readsWhatJWTKitReads() throws {
        let token = Self.header + "." + Self.claims + "." + Self.signature
        let ours = try ParsedJWT<AccessTokenPayload>(parsing: token)
        let theirs = try DefaultJWTParser().parse(Array(token.utf8), as: AccessTokenPayload.self)
        #expect(ours.header.fields == theirs.header.fields)
        #expect(ours.claims.claims == theirs.payload.claims)
        #expect(Data(ours.signature) == theirs.signature)
        #expect(String(decoding: ours.signingInput, as: UTF8.self) == Self.header + "." + Self.claims)
    }

    @Test func headersAreMemoisedByTheirBytesAndTheMemoStaysBounded() throws {
        let other = Base64URL.encode(Array(#"{"alg":"ES384","kid":"k2","typ":"at+jwt"}"#.utf8))
        for _ in 0..<2 {
            #expect(try ParsedJWT<AccessTokenPayload>(parsing: Self.header + "." + Self.claims + "." + Self.signature).header.alg == "ES256")
            #expect(try ParsedJWT<AccessTokenPayload>(parsing: other + "." + Self.claims + "." + Self.signature).header.alg == "ES384")
        }
        // A flood of distinct headers (as from made-up tokens) never grows the memo past its capacity.
        for index in 0..<(3 * HeaderMemo.capacity) {
            let header = Base64URL.encode(Array(#"{"alg":"ES256","kid":"flood-\#(index)"}"#.utf8))
            let parsed = try ParsedJWT<AccessTokenPayload>(parsing: header + "." + Self.claims + "." + Self.signature)
            #expect(parsed.header.kid == "flood-\(index)")
            #expect(HeaderMemo.shared.count <= HeaderMemo.capacity)
        }
        // Malformed headers are not memoised as anything.
        #expect(throws: JWTError.self) { try ParsedJWT<AccessTokenPayload>(parsing: "e30x." + Self.claims + "." + Self.signature) }
    }

    @Test func directES256CheckAgreesWithJWTKit() async throws {
        let key = P256.Signing.PrivateKey()
        let point = key.publicKey.rawRepresentation
        let jwk = try JSONDecoder().decode(JWK.self, from: Data(#"{"kty":"EC","crv":"P-256","kid":"k1","alg":"ES256","x":"\#(Base64URL.encode(point.prefix(32)))","y":"\#(Base64URL.encode(point.suffix(32)))"}"#.utf8))
        let collection = JWTKeyCollection()
        try await collection.add(jwk: jwk)
        let viaJWTKit = SignatureVerifier(try await collection.getKey(for: "k1", alg: "ES256"))
        let direct = SignatureVerifier(jwk: jwk, fallback: try await collection.getKey(for: "k1", alg: "ES256"))
        let input = Self.header + "." + Self.claims
        let signature = Array(try key.signature(for: Data(input.utf8)).rawRepresentation)
        let good = try ParsedJWT<AccessTokenPayload>(parsing: input + "." + Base64URL.encode(signature))
        var flipped = signature
        flipped[10] ^= 1
        let forged = try ParsedJWT<AccessTokenPayload>(parsing: input + "." + Base64URL.encode(flipped))
        let short = try ParsedJWT<AccessTokenPayload>(parsing: input + "." + Base64URL.encode(signature.prefix(63)))
        let relabelled = try ParsedJWT<AccessTokenPayload>(parsing: Base64URL.encode(Array(#"{"alg":"ES384","kid":"k1","typ":"at+jwt"}"#.utf8)) + "." + Self.claims + "." + Base64URL.encode(signature))
        for verifier in [viaJWTKit, direct] {
            #expect(verifier.algorithm == "ES256")
            #expect(good.isSigned(by: verifier))
            #expect(!forged.isSigned(by: verifier))
            #expect(!short.isSigned(by: verifier))
            #expect(!relabelled.isSigned(by: verifier), "alg pinned to the key")
        }
    }

    @Test func refusesWhatJWTKitRefuses() {
        let notJSON = Base64URL.encode(Array("not json".utf8))
        let array = Base64URL.encode(Array("[1]".utf8))
        let malformed = [
            "", "a", Self.header, Self.header + "." + Self.claims,
            Self.header + "." + Self.claims + "." + Self.signature + ".x",
            "!!." + Self.claims + "." + Self.signature,
            Self.header + ".!!." + Self.signature,
            Self.header + "." + Self.claims + ".!!",
            notJSON + "." + Self.claims + "." + Self.signature,
            Self.header + "." + notJSON + "." + Self.signature,
            Self.header + "." + array + "." + Self.signature,
        ]
        for token in malformed {
            #expect(throws: JWTError.self, "\(token)") { try ParsedJWT<AccessTokenPayload>(parsing: token) }
            #expect(throws: (any Error).self, "jwt-kit too: \(token)") { try DefaultJWTParser().parse(Array(token.utf8), as: AccessTokenPayload.self) }
        }
    }
}

/// A small seeded generator (SplitMix64) so the mutation test is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
