import Foundation
import TesseraJSON

/// A token the server keeps a record of: opaque access tokens and refresh tokens.
///
/// Only the SHA-256 of the token is stored, so a database leak does not leak usable tokens.
/// `parentHash` links an access token to the refresh token it was issued from, so revoking the
/// refresh token revokes its access tokens too.
public struct TokenRecord: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
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

    public init(hash: Data, kind: Kind, server: String, clientID: String, subject: String, username: String? = nil,
                scopes: [String], audiences: [String], claims: [String: JSONValue] = [:], jti: String,
                issuedAt: Date, notBefore: Date? = nil, expiresAt: Date, revoked: Bool = false, parentHash: Data? = nil) {
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
