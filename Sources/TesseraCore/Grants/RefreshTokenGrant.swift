import Foundation
import TesseraStore

/// The `refresh_token` grant (RFC 6749 §6) with rotation: every use returns a new refresh token and
/// retires the presented one, atomically; presenting a retired one again revokes the whole family — every
/// refresh and access token issued since the sign-in (RFC 9700 §4.14). Scope may be narrowed, never
/// widened. Refresh tokens are never issued for client_credentials.
public struct RefreshTokenGrant: UserGrant {
    public let grantType = "refresh_token"
    let parts: UserGrantParts

    public init(_ parts: UserGrantParts) {
        self.parts = parts
    }

    public func handle(_ request: TokenRequest, client: Client, server: AuthorizationServer) async throws(OAuthError) -> TokenResponse {
        try requireRegistered(client)
        guard let token = request.refreshToken, !token.isEmpty else {
            throw OAuthError(.invalidRequest, .requestMissingParameter, "the token request has no refresh_token", clientID: client.id)
        }
        let hash = Hashing.sha256(token)
        let store = directory.stores.tokens
        if let scope = request.scope, !scope.isEmpty {
            // A wider scope is the client's mistake: refuse it before the token is used up (without a scope
            // parameter nothing can be wider, and the use below is the only read).
            let found: TokenRecord? = try await storeCall("reading the refresh token") { () throws(StoreError) in try await store.token(hash: hash) }
            if let found, found.kind == .refreshToken, found.clientID == client.id { _ = try Self.narrowed(scope, granted: found.scopes, clientID: client.id) }
        }
        let use: TokenUse = try await storeCall("using the refresh token") { () throws(StoreError) in try await store.useToken(hash: hash, clientID: client.id, at: clock.now) }
        let record: TokenRecord
        switch use {
        case .otherClient(let found) where found.kind == .refreshToken:
            throw OAuthError(.invalidGrant, .refreshClientMismatch, "the refresh token was issued to another client", detail: ["jti": found.jti], clientID: client.id)
        case .again(let found) where found.kind == .refreshToken:
            if found.revoked {
                throw OAuthError(.invalidGrant, .refreshRevoked, "the refresh token was revoked; sign the user in again", detail: ["jti": found.jti], clientID: client.id)
            }
            let family = found.parentHash ?? found.hash
            _ = try await storeCall("revoking the refresh token family") { () throws(StoreError) in try await store.revokeToken(hash: family, now: clock.now) }
            revoked()
            throw OAuthError(.invalidGrant, .refreshReused,
                             "the refresh token was already used (rotated); it may have leaked, so every token of this sign-in is revoked. Sign the user in again",
                             detail: ["jti": found.jti, "first_used": String(found.usedAt?.epochSeconds ?? 0), "user_id": found.subject, "family_revoked": "true"],
                             clientID: client.id)
        case .first(let found) where found.kind == .refreshToken && found.server == server.name:
            record = found
        default:
            throw OAuthError(.invalidGrant, .refreshUnknown, "the refresh token is not valid for this server", clientID: client.id)
        }
        guard !record.revoked else {
            throw OAuthError(.invalidGrant, .refreshRevoked, "the refresh token was revoked; sign the user in again", detail: ["jti": record.jti], clientID: client.id)
        }
        guard record.expiresAt > clock.now else {
            throw OAuthError(.invalidGrant, .refreshExpired, "the refresh token expired; sign the user in again", detail: ["jti": record.jti], clientID: client.id)
        }
        let scopes = try Self.narrowed(request.scope, granted: record.scopes, clientID: client.id)
        let user = try await UserCheck.active(userID: record.subject, clientID: client.id, directory: directory)
        let signIn = UserSignIn(userID: user.id, username: user.username, claims: record.claims)
        // The access token gets the narrowed scope; the new refresh token keeps the presented one's (RFC 6749 §6).
        return try await tokens.issue(signIn: signIn, user: user, client: client, server: server, scopes: scopes, audiences: record.audiences,
                                      family: record.parentHash ?? record.hash, nonce: nil, grantedScopes: record.scopes)
    }

    /// The requested scope when it is within the granted one; the granted one when none is requested.
    static func narrowed(_ requested: String?, granted: [String], clientID: String) throws(OAuthError) -> [String] {
        guard let requested, !requested.isEmpty else { return granted }
        let asked = requested.split(separator: " ").map(String.init)
        if let wider = asked.first(where: { !granted.contains($0) }) {
            throw OAuthError(.invalidScope, .refreshScopeWidened,
                             "scope \(quoted(wider)) was not granted with this refresh token; it may ask for at most [\(granted.joined(separator: " "))]",
                             clientID: clientID)
        }
        var result: [String] = []
        for scope in asked where !result.contains(scope) { result.append(scope) }
        return result
    }
}
