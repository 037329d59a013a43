import Crypto
import Foundation
import TesseraStore

/// The `authorization_code` grant (RFC 6749 §4.1.3 with PKCE, RFC 7636 §4.6): trades a code for the
/// tokens of the user who signed in. The code is used once, atomically; a second use revokes every
/// token issued from the first (RFC 9700 §4.2.4).
public struct AuthorizationCodeGrant: UserGrant {
    public let grantType = "authorization_code"
    let parts: UserGrantParts

    public init(_ parts: UserGrantParts) {
        self.parts = parts
    }

    public func handle(_ request: TokenRequest, client: Client, server: AuthorizationServer) async throws(OAuthError) -> TokenResponse {
        try requireRegistered(client)
        guard let code = request.code, !code.isEmpty else {
            throw OAuthError(.invalidRequest, .requestMissingParameter, "the token request has no code; send the code from the authorization response", clientID: client.id)
        }
        let hash = Hashing.sha256(code)
        let store = directory.stores.tokens
        let use: TokenUse = try await storeCall("using the code") { () throws(StoreError) in try await store.useToken(hash: hash, clientID: client.id, at: clock.now) }
        let record: TokenRecord
        switch use {
        case .unknown:
            throw OAuthError(.invalidGrant, .codeUnknown, "the authorization code is not valid for this server (unknown, or purged)", clientID: client.id)
        case .otherClient(let found) where found.kind == .authorizationCode:
            throw OAuthError(.invalidGrant, .codeClientMismatch, "the authorization code was issued to another client", detail: ["code_id": found.jti], clientID: client.id)
        case .again(let found) where found.kind == .authorizationCode:
            // The code leaked: whoever used it first may be the attacker. Everything issued from it goes.
            _ = try await storeCall("revoking the code's tokens") { () throws(StoreError) in try await store.revokeToken(hash: hash, now: clock.now) }
            revoked()
            throw OAuthError(.invalidGrant, .codeReused,
                             "the authorization code was already used; the tokens issued for it are revoked. Start the authorization again",
                             detail: ["code_id": found.jti, "first_used": String(found.usedAt?.epochSeconds ?? 0), "user_id": found.subject], clientID: client.id)
        case .first(let found) where found.kind == .authorizationCode && found.server == server.name:
            record = found
        default:
            throw OAuthError(.invalidGrant, .codeUnknown, "the authorization code is not valid for this server (unknown, or purged)", clientID: client.id)
        }
        guard clock.now.epochSeconds <= record.issuedAt.epochSeconds + AuthorizationEndpoint.codeLifetime else {
            throw OAuthError(.invalidGrant, .codeExpired, "the authorization code expired (codes are valid for \(AuthorizationEndpoint.codeLifetime) seconds)",
                             detail: ["code_id": record.jti], clientID: client.id)
        }
        let boundURI = record.claims["redirect_uri"]?.string ?? ""
        guard request.redirectURI == boundURI else {
            throw OAuthError(.invalidGrant, .codeRedirectURIMismatch,
                             "redirect_uri \(quoted(request.redirectURI ?? "")) is not the one of the authorization request (\(quoted(boundURI)))",
                             detail: ["code_id": record.jti], clientID: client.id)
        }
        guard let verifier = request.codeVerifier, !verifier.isEmpty else {
            throw OAuthError(.invalidRequest, .codeVerifierMissing, "code_verifier is required: send the verifier whose S256 hash was the code_challenge",
                             clientID: client.id)
        }
        guard Base64URL.encode(Array(SHA256.hash(data: Array(verifier.utf8)))) == record.claims["code_challenge"]?.string else {
            throw OAuthError(.invalidGrant, .codeVerifierMismatch, "code_verifier does not match the code_challenge of the authorization request",
                             detail: ["code_id": record.jti], clientID: client.id)
        }
        let user = try await UserCheck.active(userID: record.subject, clientID: client.id, directory: directory)
        let signIn = UserSignIn(userID: user.id, username: user.username, claims: record.claims)
        return try await tokens.issue(signIn: signIn, user: user, client: client, server: server, scopes: record.scopes, audiences: record.audiences,
                                      family: hash, nonce: record.claims["nonce"]?.string)
    }
}

/// The user behind a grant must still exist and be enabled for tokens to be issued.
enum UserCheck {
    static func active(userID: String, clientID: String, directory: Directory) async throws(OAuthError) -> User {
        let found: User? = try await storeCall("loading the user") { () throws(StoreError) in try await directory.stores.users.user(id: userID) }
        guard let user = found, !user.disabled else {
            throw OAuthError(.invalidGrant, .grantUserUnavailable, "the user of this grant is \(found == nil ? "deleted" : "disabled")",
                             detail: ["user_id": userID], clientID: clientID)
        }
        return user
    }
}
