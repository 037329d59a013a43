import TesseraStore

/// The first half of every endpoint that takes `Authorization: Bearer` (RFC 6750): introspection by
/// Bearer, userinfo and the management API. The token must be an active access token of `server`
/// (a refresh token is refused), issued to a client that still exists and is enabled.
public struct BearerCheck: Sendable {
    let verifier: TokenVerifier
    let directory: Directory

    public init(verifier: TokenVerifier, directory: Directory) {
        self.verifier = verifier
        self.directory = directory
    }

    /// The token's facts and its client; `hint` ends the description of an inactive token (what to get instead).
    public func accessToken(_ token: String, server: AuthorizationServer, hint: String) async throws(OAuthError) -> (facts: TokenFacts, client: Client) {
        let facts: TokenFacts
        switch try await verifier.check(token, server: server) {
        case .inactive(let reason, let detail):
            var logged = detail
            logged["bearer_reason"] = reason.rawValue
            throw OAuthError(.invalidToken, .bearerTokenInvalid,
                             "the Bearer token is not an active access token of authorization server \(quoted(server.name)) (\(reason.rawValue)); \(hint)",
                             detail: logged)
        case .active(let active):
            facts = active
        }
        guard facts.kind == .accessToken else {
            throw OAuthError(.invalidToken, .bearerTokenInvalid, "a refresh token cannot be used as a Bearer token; use an access token", clientID: facts.clientID)
        }
        let found: Client? = try await storeCall("loading the calling client") { () throws(StoreError) in try await directory.client(id: facts.clientID) }
        guard let client = found, client.enabled else {
            throw OAuthError(.invalidToken, .bearerTokenInvalid, "the client \(facts.clientID) behind the Bearer token no longer exists or is disabled", clientID: facts.clientID)
        }
        return (facts, client)
    }

    /// Refuses with 403 `insufficient_scope` naming `scope` unless `allowed` says the token's scopes suffice.
    public static func requireScope(_ scope: String, of facts: TokenFacts, allowed: Bool) throws(OAuthError) {
        guard !allowed else { return }
        throw OAuthError(.insufficientScope, .bearerScopeMissing,
                         "the Bearer token of client \(facts.clientID) lacks the scope \(scope); it has [\(facts.scopes.joined(separator: ", "))]",
                         detail: ["scope": scope], clientID: facts.clientID)
    }
}
