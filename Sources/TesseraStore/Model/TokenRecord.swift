import Foundation
import TesseraJSON

/// A token the server keeps a record of: opaque access tokens, refresh tokens, authorization codes and
/// sign-in sessions (the secret in the session cookie).
///
/// Only the SHA-256 of the token is stored, so a database leak does not leak usable tokens.
/// `parentHash` links a token to the grant it belongs to: every refresh token and opaque access token
/// issued from one authorization code carries the code's hash (the refresh token *family*), so revoking
/// the family (`TokenStore.revokeToken(hash: codeHash)`) revokes them all. For user tokens `subject` is the
/// user id and `claims` carry the sign-in (`sid`, `auth_time`, `acr`, `amr`); a code's claims carry what
/// it is bound to (`redirect_uri`, `code_challenge`, `nonce`).
public struct TokenRecord: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
        case authorizationCode = "authorization_code"
        case session = "session"
    }

    public var hash: Data
    public var kind: Kind
    public var server: String
    public var clientID: String
    public var subject: String
    /// The user behind the token, when there is one (authorization code / refresh flows).
    public var username: String?
    public var scopes: [String]
    public var audiences: [String]
    public var claims: [String: JSONValue]
    public var jti: String
    public var issuedAt: Date
    public var notBefore: Date
    public var expiresAt: Date
    public var revoked: Bool
    public var parentHash: Data?
    /// When a single-use token (a code, a refresh token) was used; a second use finds it set.
    public var usedAt: Date?

    public init(hash: Data, kind: Kind, server: String, clientID: String, subject: String, username: String? = nil,
                scopes: [String], audiences: [String], claims: [String: JSONValue] = [:], jti: String,
                issuedAt: Date, notBefore: Date? = nil, expiresAt: Date, revoked: Bool = false, parentHash: Data? = nil, usedAt: Date? = nil) {
        self.usedAt = usedAt
        self.hash = hash
        self.kind = kind
        self.server = server
        self.clientID = clientID
        self.subject = subject
        self.username = username
        self.scopes = scopes
        self.audiences = audiences
        self.claims = claims
        self.jti = jti
        self.issuedAt = issuedAt
        self.notBefore = notBefore ?? issuedAt
        self.expiresAt = expiresAt
        self.revoked = revoked
        self.parentHash = parentHash
    }
}
