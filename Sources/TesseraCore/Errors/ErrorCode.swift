/// The RFC error code of a rejection (RFC 6749 §5.2, RFC 7009, RFC 8707), with its default HTTP status.
public struct ErrorCode: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public let status: Int

    init(_ rawValue: String, status: Int) {
        self.rawValue = rawValue
        self.status = status
    }

    public var description: String { rawValue }

    public static let invalidRequest = ErrorCode("invalid_request", status: 400)
    public static let invalidClient = ErrorCode("invalid_client", status: 401)
    public static let invalidGrant = ErrorCode("invalid_grant", status: 400)
    public static let unauthorizedClient = ErrorCode("unauthorized_client", status: 400)
    public static let unsupportedGrantType = ErrorCode("unsupported_grant_type", status: 400)
    public static let invalidScope = ErrorCode("invalid_scope", status: 400)
    public static let invalidTarget = ErrorCode("invalid_target", status: 400)
    public static let invalidToken = ErrorCode("invalid_token", status: 401)
    public static let insufficientScope = ErrorCode("insufficient_scope", status: 403)
    public static let notFound = ErrorCode("not_found", status: 404)
    /// The management API's answer to a change that clashes with what exists (RFC 9110 §15.5.10).
    public static let conflict = ErrorCode("conflict", status: 409)
    /// The management API's answer to a stale `If-Match` (RFC 9110 §15.5.13).
    public static let preconditionFailed = ErrorCode("precondition_failed", status: 412)
    public static let unsupportedResponseType = ErrorCode("unsupported_response_type", status: 400)
    public static let accessDenied = ErrorCode("access_denied", status: 403)
    public static let loginRequired = ErrorCode("login_required", status: 400)
    public static let consentRequired = ErrorCode("consent_required", status: 400)
    public static let requestNotSupported = ErrorCode("request_not_supported", status: 400)
    public static let serverError = ErrorCode("server_error", status: 500)
    public static let temporarilyUnavailable = ErrorCode("temporarily_unavailable", status: 503)
}
