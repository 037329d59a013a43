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
