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
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count >= 1, parts[0].lowercased() == "basic" else { return nil }
        func malformed(_ why: String) -> OAuthError {
            OAuthError(.invalidClient, .clientAuthMalformedBasic,
                       "the Authorization: Basic header is malformed: \(why); expected base64(urlencode(client_id):urlencode(client_secret))")
        }
        guard parts.count == 2, let decoded = Base64Standard.decode(String(parts[1]).trimmingSpaces()) else {
            throw malformed("the credentials are not base64")
        }
        guard let text = String(validating: decoded, as: UTF8.self) else { throw malformed("the decoded credentials are not UTF-8") }
        guard let colon = text.firstIndex(of: ":") else { throw malformed("no ':' between client id and secret") }
        guard let id = FormDecoding.decodeComponent(String(text[..<colon])),
              let secret = FormDecoding.decodeComponent(String(text[text.index(after: colon)...])) else {
            throw malformed("the client id or secret has invalid percent-encoding")
        }
        guard !id.isEmpty else { throw malformed("the client id is empty") }
        return BasicCredentials(clientID: id, secret: secret)
    }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}

/// application/x-www-form-urlencoded decoding of one component: `+` is a space, `%XX` a byte,
/// and the result must be UTF-8.
public enum FormDecoding {
    public static func decodeComponent(_ text: String) -> String? {
        decodeComponent(Array(text.utf8)[...])
    }

    public static func decodeComponent(_ bytes: ArraySlice<UInt8>) -> String? {
        // Most components (ids, tokens, assertions) have nothing to decode: validate them as they are.
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) {
            return String(validating: bytes, as: UTF8.self)
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

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
