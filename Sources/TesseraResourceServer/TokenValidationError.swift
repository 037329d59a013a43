import Foundation

/// Why a token was refused, in the terms of RFC 6750 §3.1.
public struct TokenValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The RFC 6750 error codes (and 503 when the authorization server cannot be reached).
    public enum Kind: String, Sendable, Equatable {
        /// 401 `invalid_token`: missing, malformed, expired, revoked, wrong issuer or audience, bad signature.
        case invalidToken = "invalid_token"
        /// 403 `insufficient_scope`: a valid token without the scopes the route needs.
        case insufficientScope = "insufficient_scope"
        /// 401 `invalid_request`: no usable Authorization header.
        case invalidRequest = "invalid_request"
        /// 503: the authorization server (discovery, keys, introspection) could not be reached.
        case unavailable = "temporarily_unavailable"
    }

    /// The RFC 6750 error this maps to (and its HTTP status).
    public var kind: Kind
    /// A sentence saying what was wrong and what was expected, sent as `error_description`.
    public var description: String
    /// For `insufficientScope`: the scopes the route needs.
    public var requiredScopes: [String]

    /// `requiredScopes` are named in the `scope` attribute of a 403 challenge.
    public init(_ kind: Kind, _ description: String, requiredScopes: [String] = []) {
        self.kind = kind
        self.description = description
        self.requiredScopes = requiredScopes
    }
}
