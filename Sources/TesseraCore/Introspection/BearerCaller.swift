import TesseraStore

/// Authenticates an introspection caller by `Authorization: Bearer <access token>` (Asgardeo style):
/// the token must be an active access token of this server carrying `tessera:introspect`, and the
/// caller is the client it was issued to.
public struct BearerCaller: Sendable {
    let verifier: TokenVerifier
    let directory: Directory

    public init(verifier: TokenVerifier, directory: Directory) {
        self.verifier = verifier
        self.directory = directory
    }

    public func authenticate(_ token: String, server: AuthorizationServer) async throws(OAuthError) -> IntrospectionCaller {
        let facts: TokenFacts
        switch try await verifier.check(token, server: server) {
        case .inactive(let reason, let detail):
            var logged = detail
            logged["bearer_reason"] = reason.rawValue
            throw OAuthError(.invalidToken, .bearerTokenInvalid,
                             "the Bearer token is not an active access token of authorization server \(quoted(server.name)) (\(reason.rawValue)); get a new token with the scope \(Introspector.introspectScope)",
                             detail: logged)
        case .active(let active):
            facts = active
        }
        guard facts.kind == .accessToken else {
            throw OAuthError(.invalidToken, .bearerTokenInvalid, "a refresh token cannot be used as a Bearer token; use an access token", clientID: facts.clientID)
        }
        guard facts.scopes.contains(Introspector.introspectScope) else {
            throw OAuthError(.insufficientScope, .bearerScopeMissing,
                             "the Bearer token of client \(facts.clientID) lacks the scope \(Introspector.introspectScope); it has [\(facts.scopes.joined(separator: ", "))]",
                             detail: ["scope": Introspector.introspectScope], clientID: facts.clientID)
        }
        let found: Client? = try await storeCall("loading the calling client") { () throws(StoreError) in try await directory.client(id: facts.clientID) }
        guard let client = found, client.enabled else {
            throw OAuthError(.invalidToken, .bearerTokenInvalid, "the client \(facts.clientID) behind the Bearer token no longer exists or is disabled", clientID: facts.clientID)
        }
        return IntrospectionCaller(client: client, viaBearer: true)
    }
}
