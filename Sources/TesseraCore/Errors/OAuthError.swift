/// The one error type of Tessera: what the caller is told and what the operator needs to know.
///
/// Follows fosite's layering: an RFC `code`, a caller-facing `description` that names what was
/// wrong and what was expected (never a secret, key material or a whole token), a stable
/// `reason` code from the documented catalogue, and `detail` for the event log only.
/// Two errors are equal when their codes and reasons are.
public struct OAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: ErrorCode
    public var reason: ReasonCode
    public var description: String
    /// Structured detail for the log (expected vs received values); never sent to the caller.
    public var detail: [String: String]
    /// HTTP status; defaults to the code's, some rejections differ (413, 415, 405, 404).
    public var httpStatus: Int
    /// The client the request was about, when known (for the event log).
    public var clientID: String?

    public init(_ code: ErrorCode, _ reason: ReasonCode, _ description: String, detail: [String: String] = [:], status: Int? = nil, clientID: String? = nil) {
        self.code = code
        self.reason = reason
        self.description = description
        self.detail = detail
        self.httpStatus = status ?? code.status
        self.clientID = clientID
    }

    public static func == (lhs: OAuthError, rhs: OAuthError) -> Bool {
        lhs.code == rhs.code && lhs.reason == rhs.reason
    }

    /// Wraps an unexpected failure (a store error, a crypto failure) without leaking its text to the caller.
    public static func internalFailure(_ error: any Error, during step: String) -> OAuthError {
        if let oauth = error as? OAuthError { return oauth }
        return OAuthError(
            .temporarilyUnavailable, .storeUnavailable,
            "the server could not complete \(step) right now; retry shortly",
            detail: ["error": String(describing: error)]
        )
    }
}

/// Quotes a value from the request for an error description, shortened so a pasted token never lands whole.
public func quoted(_ value: String, limit: Int = 80) -> String {
    let clean = value.unicodeScalars.map { $0.value < 0x20 ? "?" : String($0) }.joined()
    if clean.count <= limit { return "\"\(clean)\"" }
    return "\"\(clean.prefix(limit))…\""
}
