import TesseraStore
import TesseraJSON

/// `POST {issuer}/v1/introspect` without HTTP (RFC 7662; RFC 9701 when the caller asks for a JWT):
/// authenticates the caller (its registered client method, or a Bearer token with
/// `tessera:introspect`), applies the access policy, renders the answer.
public struct IntrospectionEndpoint: Sendable {
    /// The whole answer for a token the caller may not see or that is not active (RFC 7662 §2.2).
    public static let inactiveMembers: [(String, JSONValue)] = [("active", .bool(false))]
    static let inactiveAnswer = JSONWriter.object(inactiveMembers)

    let authenticator: ClientAuthenticator
    let bearer: BearerCaller
    let introspector: Introspector
    let issuer: AccessTokenIssuer

    public init(authenticator: ClientAuthenticator, bearer: BearerCaller, introspector: Introspector, issuer: AccessTokenIssuer) {
        self.authenticator = authenticator
        self.bearer = bearer
        self.introspector = introspector
        self.issuer = issuer
    }

    /// `token` is the `token` parameter; `wantsJWT` whether the caller accepts `application/token-introspection+jwt`.
    /// `address` is the caller's, for its rate limit and the lockout of its client id (`RateLimiter`); a
    /// Bearer caller is limited by its address and its client like any other.
    public func handle(token: String?, credentials: ClientCredentials, wantsJWT: Bool, server: AuthorizationServer,
                       from address: String? = nil) async throws(OAuthError) -> IntrospectionOutcome {
        let caller: IntrospectionCaller
        if case .bearer(let bearerToken) = credentials {
            try authenticator.limiter?.admit(address: address)
            caller = try await bearer.authenticate(bearerToken, server: server)
            try authenticator.limiter?.admit(client: caller.client, server: server)
        } else {
            caller = IntrospectionCaller(client: try await authenticator.authenticate(credentials, server: server, at: .introspection, from: address).client, viaBearer: false)
        }
        guard let token else {
            throw OAuthError(.invalidRequest, .tokenMissing, "the introspection request has no token parameter; send token=<the token to check>",
                             clientID: caller.client.id)
        }
        let via = caller.viaBearer ? "bearer" : "client_auth"
        var outcome: IntrospectionOutcome
        let activeFacts: TokenFacts?
        switch try await introspector.introspect(token, caller: caller, server: server) {
        case .active(let rendered, let facts):
            activeFacts = facts
            outcome = IntrospectionOutcome(body: rendered, contentType: "application/json", event: EventFacts(
                clientID: caller.client.id, message: "token is active (issued to \(facts.clientID))",
                detail: ["jti": facts.jti, "token_client_id": facts.clientID, "via": via]))
        case .inactive(let reason, let detail):
            activeFacts = nil
            outcome = IntrospectionOutcome(body: Self.inactiveAnswer, contentType: "application/json", event: EventFacts(
                clientID: caller.client.id, message: "answered {\"active\":false}: \(reason.explanation)", reason: reason,
                detail: detail.merging(["via": via]) { own, _ in own }), inactive: (reason, detail))
        }
        if wantsJWT {
            let members = activeFacts.map(Introspector.members) ?? Self.inactiveMembers
            outcome.body = Array(try await issuer.signIntrospectionAnswer(members, audience: caller.client.id, server: server).utf8)
            outcome.contentType = AccessTokenIssuer.introspectionAnswerMediaType
        }
        return outcome
    }
}
