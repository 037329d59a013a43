import Foundation

/// Stores issued opaque and refresh tokens (by hash), and the deny list of revoked JWT access tokens.
public protocol TokenStore: Sendable {
    /// Records a token; committed before the token is handed out. Throws `alreadyExists` for a hash seen before.
    func saveToken(_ record: TokenRecord) async throws(StoreError)
    /// The record of the token with this SHA-256 hash, or nil. One indexed read.
    func token(hash: Data) async throws(StoreError) -> TokenRecord?
    /// Marks the token revoked, together with every token issued from it (`parentHash`) and every JWT
    /// recorded against it with `linkJWT`; returns false when no such token exists.
    func revokeToken(hash: Data, now: Date) async throws(StoreError) -> Bool
    /// Records that a JWT access token (`jti`, valid until `expiresAt`) was issued from the refresh
    /// token `parentHash`, so revoking the refresh token can deny it.
    func linkJWT(parentHash: Data, server: String, jti: String, expiresAt: Date) async throws(StoreError)
    /// Puts a JWT access token's `jti` on the server's deny list until it expires.
    func denyJTI(server: String, jti: String, expiresAt: Date) async throws(StoreError)
    /// Whether the `jti` is on the server's deny list.
    func isDenied(server: String, jti: String) async throws(StoreError) -> Bool
    /// Marks a single-use token of `clientID` used, in one atomic step: `.first` for the one caller that
    /// used it first (the record as it was before), `.again` for every later one, `.otherClient` (and not
    /// used) when the token belongs to another client, `.unknown` when no such token exists.
    func useToken(hash: Data, clientID: String, at time: Date) async throws(StoreError) -> TokenUse
    /// The records of `kind` whose subject is `subject` (a user's sessions or refresh tokens), newest first.
    func tokens(subject: String, kind: TokenRecord.Kind) async throws(StoreError) -> [TokenRecord]
    /// Forgets tokens, links and deny-list entries that expired before `now`; returns how many went.
    func purgeExpiredTokens(now: Date) async throws(StoreError) -> Int
}

/// What `TokenStore.useToken` found.
public enum TokenUse: Sendable, Equatable {
    /// This call used the token; the record as it was (not yet used).
    case first(TokenRecord)
    /// The token had been used before (at `record.usedAt`).
    case again(TokenRecord)
    /// The token is another client's; it was left unused.
    case otherClient(TokenRecord)
    case unknown
}
