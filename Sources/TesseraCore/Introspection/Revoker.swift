import Foundation
import TesseraStore

/// RFC 7009 revocation. A client may revoke only its own tokens; an unknown, expired, foreign or
/// already revoked token is not an error (the caller's goal — the token no longer works — holds).
/// JWT access tokens go on the deny list until `exp`; opaque and refresh tokens are marked, and a
/// refresh token takes the access tokens issued from it along.
public struct Revoker: Sendable {
    let verifier: TokenVerifier
    let tokens: any TokenStore
    let clock: any WallClock

    public init(verifier: TokenVerifier, tokens: any TokenStore, clock: any WallClock) {
        self.verifier = verifier
        self.tokens = tokens
        self.clock = clock
    }

    /// What happened, for the log: the token's facts when something was revoked, else why not.
    public enum Outcome: Sendable {
        case revoked(TokenFacts)
        case nothingToRevoke(ReasonCode, detail: [String: String])
    }

    public func revoke(_ token: String, caller: Client, server: AuthorizationServer) async throws(OAuthError) -> Outcome {
        let facts: TokenFacts
        switch try await verifier.check(token, server: server) {
        case .inactive(let reason, let detail):
            return .nothingToRevoke(reason, detail: detail)
        case .active(let active):
            facts = active
        }
        guard facts.clientID == caller.id else {
            throw OAuthError(.unauthorizedClient, .tokenNotOwned,
                             "this token was issued to another client; client \(caller.id) may revoke only its own tokens",
                             detail: ["token_client_id": facts.clientID, "jti": facts.jti], clientID: caller.id)
        }
        try await storeCall("the revocation") { () throws(StoreError) in
            switch facts.format {
            case .jwt:
                try await tokens.denyJTI(server: server.name, jti: facts.jti, expiresAt: Date(timeIntervalSince1970: TimeInterval(facts.expiresAt)))
            case .opaque where facts.kind == .refreshToken:
                // A refresh token takes its family along: every refresh and access token of the sign-in.
                _ = try await tokens.revokeToken(hash: facts.family ?? facts.hash, now: clock.now)
                _ = try await tokens.revokeToken(hash: facts.hash, now: clock.now)
            case .opaque:
                _ = try await tokens.revokeToken(hash: facts.hash, now: clock.now)
            }
        }
        verifier.revocationHappened()
        return .revoked(facts)
    }
}
