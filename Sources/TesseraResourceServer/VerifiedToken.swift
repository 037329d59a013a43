import Foundation

/// An access token the validator accepted, with the claims a handler needs.
public struct VerifiedToken: Sendable, Equatable {
    /// The subject: the client itself for client-credentials tokens, else the user.
    public var subject: String
    /// The client the token was issued to (`client_id`, else `sub`).
    public var clientID: String
    /// The granted scopes (`scope`, split on spaces).
    public var scopes: Set<String>
    /// The audiences (`aud`, one string or an array).
    public var audiences: [String]
    /// The issuer (`iss`).
    public var issuer: String
    /// When the token stops being valid (`exp`).
    public var expiresAt: Date
    /// The token's unique id (`jti`), for logs and revocation.
    public var jti: String?
    /// Every claim of the token (JWT payload or introspection answer), including custom ones.
    public var claims: [String: ClaimValue]
    /// How the token was accepted.
    public var source: Source

    /// Where the validator got the token's claims from.
    public enum Source: Sendable, Equatable {
        /// Verified here against the issuer's keys.
        case localJWT
        /// Answered `active` by the introspection endpoint.
        case introspection
    }

    init(claims: [String: ClaimValue], source: Source) {
        self.init(claims: claims, registered: RegisteredClaims(claims), source: source)
    }

    init(claims: [String: ClaimValue], registered: RegisteredClaims, source: Source) {
        self.claims = claims
        self.source = source
        subject = registered.subject ?? ""
        clientID = registered.clientID ?? registered.subject ?? ""
        scopes = Self.scopes(registered.scope ?? "")
        audiences = registered.audiences
        issuer = registered.issuer ?? ""
        expiresAt = Date(timeIntervalSince1970: registered.expiry ?? 0)
        jti = registered.jti
    }

    /// The space-separated scopes of `scope` (RFC 6749 §3.3), split on the bytes in place: `String.split`
    /// walks grapheme clusters, and even index-based `UTF8View` slicing was the slowest part of building a token.
    static func scopes(_ scope: String) -> Set<String> {
        var scope = scope
        return scope.withUTF8 { bytes in
            var scopes = Set<String>(minimumCapacity: 4)
            var start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: " ") {
                if start < index { scopes.insert(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)) }
                start = index + 1
            }
            return scopes
        }
    }
}

/// The registered claims (RFC 7519 §4.1, RFC 9068 §2.2) a validator judges, read in one pass over the
/// members instead of a hashed dictionary lookup per field.
struct RegisteredClaims {
    var issuer: String?
    var subject: String?
    var clientID: String?
    var audiences: [String] = []
    var scope: String?
    var jti: String?
    var expiry: Double?
    var notBefore: Double?

    init(_ claims: [String: ClaimValue]) {
        for (name, value) in claims {
            // Length and first byte pick the one name to compare: a failed `==` between two strings
            // takes the slow path of Unicode comparison, and most members fail most cases.
            let utf8 = name.utf8
            switch (utf8.count, utf8.first ?? 0) {
            case (3, UInt8(ascii: "i")) where name == "iss": issuer = value.string
            case (3, UInt8(ascii: "s")) where name == "sub": subject = value.string
            case (3, UInt8(ascii: "a")) where name == "aud": audiences = value.strings
            case (3, UInt8(ascii: "j")) where name == "jti": jti = value.string
            case (3, UInt8(ascii: "e")) where name == "exp": expiry = value.number
            case (3, UInt8(ascii: "n")) where name == "nbf": notBefore = value.number
            case (5, UInt8(ascii: "s")) where name == "scope": scope = value.string
            case (9, UInt8(ascii: "c")) where name == "client_id": clientID = value.string
            default: continue
            }
        }
    }
}

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
