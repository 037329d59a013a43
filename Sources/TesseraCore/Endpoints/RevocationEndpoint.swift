import TesseraStore

/// `POST {issuer}/v1/revoke` without HTTP (RFC 7009): authenticates the client, revokes its token.
public struct RevocationEndpoint: Sendable {
    let authenticator: ClientAuthenticator
    let revoker: Revoker

    public init(authenticator: ClientAuthenticator, revoker: Revoker) {
        self.authenticator = authenticator
        self.revoker = revoker
    }

    /// `address` is the caller's, for its rate limit and the lockout of its client id (`RateLimiter`).
    public func handle(token: String?, credentials: ClientCredentials, server: AuthorizationServer,
                       from address: String? = nil) async throws(OAuthError) -> RevocationOutcome {
        let client = try await authenticator.authenticate(credentials, server: server, at: .revocation, from: address).client
        guard let token else {
            throw OAuthError(.invalidRequest, .tokenMissing, "the revocation request has no token parameter; send token=<the token to revoke>", clientID: client.id)
        }
        switch try await revoker.revoke(token, caller: client, server: server) {
        case .revoked(let facts):
            return RevocationOutcome(event: EventFacts(clientID: client.id, message: "revoked a \(facts.kind.rawValue) of client \(client.id)",
                                                       detail: ["jti": facts.jti]), revoked: facts)
        case .nothingToRevoke(let reason, let detail):
            return RevocationOutcome(event: EventFacts(clientID: client.id, message: "nothing to revoke (answered 200): \(reason.explanation)",
                                                       reason: reason, detail: detail), revoked: nil)
        }
    }
}
