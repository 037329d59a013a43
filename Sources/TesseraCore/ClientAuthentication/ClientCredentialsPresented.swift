import ExtrasBase64

/// Everything a request carried that could authenticate a client, as plain values.
///
/// The HTTP layer fills it from the Authorization header, the form body and (for `client_id`,
/// `client_assertion`, `client_assertion_type`) the query string; the core decides what it means.
public struct PresentedCredentials: Sendable {
    /// The raw `Authorization` header, if any.
    public var authorizationHeader: String?
    public var clientID: String?
    public var clientSecret: String?
    public var clientAssertion: String?
    public var clientAssertionType: String?

    public init(authorizationHeader: String? = nil, clientID: String? = nil, clientSecret: String? = nil, clientAssertion: String? = nil, clientAssertionType: String? = nil) {
        self.authorizationHeader = authorizationHeader
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.clientAssertion = clientAssertion
        self.clientAssertionType = clientAssertionType
    }
}

/// The id and secret of an `Authorization: Basic` header, decoded per RFC 6749 §2.3.1
/// (base64 of form-urlencoded `id:secret`).
public struct BasicCredentials: Sendable, Equatable {
    public var clientID: String
    public var secret: String

    /// Parses the header value; nil when it is not a Basic header at all, throws when it is a
    /// malformed one.
    public static func parse(authorizationHeader value: String) throws(OAuthError) -> BasicCredentials? {
        // Read on the header's bytes (this runs on every secret-authenticated request).
        let space = UInt8(ascii: " ")
        let bytes = Array(value.utf8)
        var index = bytes.startIndex
        while index < bytes.endIndex, bytes[index] == space { index += 1 }
        let schemeStart = index
        while index < bytes.endIndex, bytes[index] != space { index += 1 }
        // The scheme is case-insensitive ASCII; `| 0x20` lowercases letters and turns no other byte into one of "basic".
        guard index - schemeStart == 5, zip(bytes[schemeStart..<index], "basic".utf8).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
        func malformed(_ why: String) -> OAuthError {
            OAuthError(.invalidClient, .clientAuthMalformedBasic,
                       "the Authorization: Basic header is malformed: \(why); expected base64(urlencode(client_id):urlencode(client_secret))")
        }
        var end = bytes.endIndex
        while index < end, bytes[index] == space { index += 1 }
        while end > index, bytes[end - 1] == space { end -= 1 }
        // RFC 4648 §4 padding: a multiple of four characters, at most two '=' and only at the end (the decoder
        // alone reads past an '=' in the middle; found by the FuzzBasicHeader target).
        let encoded = bytes[index..<end]
        let padding = encoded.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard !encoded.isEmpty, encoded.count % 4 == 0, padding <= 2, !encoded.dropLast(padding).contains(UInt8(ascii: "=")),
              let decoded = try? Base64.decode(bytes: encoded) else {
            throw malformed("the credentials are not base64")
        }
        // ASCII (nearly every id and secret) is UTF-8 as it is; only other bytes go through the validating initialiser.
        guard decoded.allSatisfy({ $0 < 0x80 }) || String(validating: decoded, as: UTF8.self) != nil else {
            throw malformed("the decoded credentials are not UTF-8")
        }
        guard let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { throw malformed("no ':' between client id and secret") }
        guard let id = FormDecoding.decodeComponent(decoded[..<colon]),
              let secret = FormDecoding.decodeComponent(decoded[(colon + 1)...]) else {
            throw malformed("the client id or secret has invalid percent-encoding")
        }
        guard !id.isEmpty else { throw malformed("the client id is empty") }
        return BasicCredentials(clientID: id, secret: secret)
    }
}

/// application/x-www-form-urlencoded decoding of one component: `+` is a space, `%XX` a byte,
/// and the result must be UTF-8.
public enum FormDecoding {
    public static func decodeComponent(_ text: String) -> String? {
        decodeComponent(Array(text.utf8)[...])
    }

    public static func decodeComponent(_ bytes: ArraySlice<UInt8>) -> String? {
        // Most components (ids, tokens, assertions) are plain ASCII with nothing to decode: such bytes are
        // valid UTF-8 as they are, and `String(decoding:)` skips the generic validating initialiser.
        if !needsDecoding(bytes) {
            return String(decoding: bytes, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard bytes.endIndex - index >= 3,
                      let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) else { return nil }
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return String(validating: out, as: UTF8.self)
    }

    /// Whether any byte is `%`, `+` or non-ASCII. One pass without early exit over the raw bytes, which the
    /// compiler vectorises: tokens and assertions are hundreds of bytes, and every one of them is scanned.
    private static func needsDecoding(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var found: UInt8 = 0
            for byte in buffer {
                found |= (byte == UInt8(ascii: "%") ? 1 : 0) | (byte == UInt8(ascii: "+") ? 1 : 0) | (byte & 0x80)
            }
            return found != 0
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
