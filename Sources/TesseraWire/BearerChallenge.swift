/// The `WWW-Authenticate: Bearer` challenge of RFC 6750 §3, built in one place for the server's own
/// Bearer-guarded endpoints and the resource-server library's middleware.
public struct BearerChallenge: Sendable, Equatable {
    /// The protection space (`realm`).
    public var realm: String
    /// The RFC 6750 §3.1 error code (`invalid_token`, `insufficient_scope`, `invalid_request`), or nil
    /// for a request that carried no token at all (§3.1: no error code then).
    public var error: String?
    /// The human-readable explanation.
    public var errorDescription: String?
    /// The scopes the resource needs, space-separated (for `insufficient_scope`).
    public var scope: String?

    public init(realm: String, error: String? = nil, errorDescription: String? = nil, scope: String? = nil) {
        self.realm = realm
        self.error = error
        self.errorDescription = errorDescription
        self.scope = scope
    }

    /// The header value, e.g. `Bearer realm="tessera", error="invalid_token", error_description="…"`.
    /// Quoted values hold only what RFC 6750 §3 allows in them (printable ASCII but `"` and `\`): a `"`
    /// becomes `'`, a `\` becomes `/`, anything else outside the range becomes `?`.
    public var headerValue: String {
        var value = "Bearer realm=\"\(Self.quotable(realm))\""
        if let error { value += ", error=\"\(Self.quotable(error))\"" }
        if let errorDescription { value += ", error_description=\"\(Self.quotable(errorDescription))\"" }
        if let scope { value += ", scope=\"\(Self.quotable(scope))\"" }
        return value
    }

    private static func quotable(_ text: String) -> String {
        var bytes = Array(text.utf8)
        guard bytes.contains(where: { $0 < 0x20 || $0 > 0x7E || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return text }
        // Non-ASCII characters are replaced once per character, not once per UTF-8 byte.
        bytes = text.unicodeScalars.map { scalar -> UInt8 in
            switch scalar {
            case "\"": UInt8(ascii: "'")
            case "\\": UInt8(ascii: "/")
            case " "..."~": UInt8(scalar.value)
            default: UInt8(ascii: "?")
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
