import Foundation
import TesseraStore
import TesseraJSON

/// What is known about an active token of this server, whatever its format.
public struct TokenFacts: Sendable, Equatable {
    public enum Format: Sendable, Equatable { case jwt, opaque }

    public var kind: TokenRecord.Kind
    public var format: Format
    public var server: String
    public var issuer: String
    public var clientID: String
    public var subject: String
    public var username: String?
    public var scopes: [String]
    public var audiences: [String]
    public var jti: String
    public var issuedAt: Int64
    public var notBefore: Int64
    public var expiresAt: Int64
    /// Claims beyond the registered ones (the server's and client's custom claims).
    public var customClaims: [String: JSONValue]
    /// SHA-256 of the token: the cache key of verified tokens and rendered answers.
    public var digest: TokenDigest
    /// The grant an opaque token belongs to (a refresh token family's code hash): revoking a refresh
    /// token revokes this family.
    public var family: Data? = nil

    /// SHA-256 of the token as bytes: an opaque record's key in the store.
    public var hash: Data { digest.data }
}
