import TesseraStore

/// Authenticates an introspection caller by `Authorization: Bearer <access token>` (Asgardeo style):
/// the token must be an active access token of this server carrying `tessera:introspect`, and the
/// caller is the client it was issued to.
public struct BearerCaller: Sendable {
    let check: BearerCheck

    public init(verifier: TokenVerifier, directory: Directory) {
        check = BearerCheck(verifier: verifier, directory: directory)
    }

    public func authenticate(_ token: String, server: AuthorizationServer) async throws(OAuthError) -> IntrospectionCaller {
        let (facts, client) = try await check.accessToken(token, server: server, hint: "get a new token with the scope \(Introspector.introspectScope)")
        try BearerCheck.requireScope(Introspector.introspectScope, of: facts, allowed: facts.scopes.contains(Introspector.introspectScope))
        return IntrospectionCaller(client: client, viaBearer: true)
    }
}
