import ExtrasBase64

/// The one reader and writer of `Authorization` header schemes, for the server, its CLI and the
/// resource-server library: which scheme a header uses and the credentials after it, read on the
/// header's bytes (this runs on every authenticated request), and the Basic header a client sends.
///
/// Schemes are case-insensitive (RFC 9110 §11.1); spaces around the credentials are ignored.
public enum AuthorizationHeader {
    /// The bytes after `scheme` (lowercase ASCII) and its spaces, trimmed; nil when `header` uses another
    /// scheme. Empty when the header is the scheme alone.
    public static func credentials(of header: String, scheme: StaticString) -> ArraySlice<UInt8>? {
        afterScheme(of: header, scheme: scheme)?.credentials
    }

    /// The trimmed credentials after `scheme` and how many bytes followed the scheme name untrimmed.
    private static func afterScheme(of header: String, scheme: StaticString) -> (credentials: ArraySlice<UInt8>, following: Int)? {
        let space = UInt8(ascii: " ")
        let bytes = Array(header.utf8)
        var index = bytes.startIndex
        while index < bytes.endIndex, bytes[index] == space { index += 1 }
        let schemeStart = index
        while index < bytes.endIndex, bytes[index] != space { index += 1 }
        let name = UnsafeBufferPointer(start: scheme.utf8Start, count: scheme.utf8CodeUnitCount)
        // `| 0x20` lowercases ASCII letters and turns no other byte into one of the scheme's letters.
        guard index - schemeStart == name.count, zip(bytes[schemeStart..<index], name).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
        let following = bytes.endIndex - index
        var end = bytes.endIndex
        while index < end, bytes[index] == space { index += 1 }
        while end > index, bytes[end - 1] == space { end -= 1 }
        return (bytes[index..<end], following)
    }

    /// The token of an `Authorization: Bearer` header (RFC 6750 §2.1), or nil when the header is absent,
    /// uses another scheme, or is the scheme and at most one space. A header of spaces after the scheme
    /// gives an empty token: the caller meant Bearer, and is told its token is not valid.
    public static func bearerToken(_ header: String?) -> String? {
        guard let header, let found = afterScheme(of: header, scheme: "bearer"), found.following >= 2 else { return nil }
        return String(decoding: found.credentials, as: UTF8.self)
    }

    /// The `Authorization: Basic` value of a client (RFC 6749 §2.3.1): id and secret form-urlencoded,
    /// joined by `:`, then base64.
    public static func basic(clientID: String, secret: String) -> String {
        let pair = FormURLEncoding.encodeComponent(clientID) + ":" + FormURLEncoding.encodeComponent(secret)
        return "Basic " + Base64.encodeToString(bytes: Array(pair.utf8))
    }
}
