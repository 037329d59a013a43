import TesseraStore

/// `POST {issuer}/v1/token` without HTTP: picks the grant, authenticates the client, runs the grant.
public struct TokenEndpoint: Sendable {
    let authenticator: ClientAuthenticator
    let grants: [String: any TokenGrant]

    public init(authenticator: ClientAuthenticator, grants: [any TokenGrant]) {
        self.authenticator = authenticator
        self.grants = Dictionary(grants.map { ($0.grantType, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The grant types this deployment supports, for discovery.
    public var grantTypes: [String] { grants.keys.sorted() }

    /// `address` is the caller's, for its rate limit and the lockout of its client id (`RateLimiter`).
    public func handle(_ request: TokenRequest, credentials: ClientCredentials, server: AuthorizationServer,
                       from address: String? = nil) async throws(OAuthError) -> TokenOutcome {
        guard let grantType = request.grantType else {
            throw OAuthError(.invalidRequest, .grantTypeMissing, "the token request has no grant_type; expected one of [\(grantTypes.joined(separator: ", "))]",
                             clientID: credentials.claimedClientID)
        }
        guard let grant = grants[grantType] else {
            throw OAuthError(.unsupportedGrantType, .grantTypeUnsupported,
                             "grant_type \(quoted(grantType)) is not supported; expected one of [\(grantTypes.joined(separator: ", "))]", clientID: credentials.claimedClientID)
        }
        let authenticated = try await authenticator.authenticate(credentials, server: server, at: .token, from: address)
        let client = authenticated.client
        let response = try await grant.handle(request, client: client, server: server)
        var detail = [
            "grant_type": grantType, "scope_requested": request.scope ?? "", "scope_granted": response.scope ?? "",
            "resource": request.resources.joined(separator: " "), "auth_method": client.authMethod.rawValue,
        ]
        if let secretID = authenticated.secretID { detail["secret_id"] = secretID }
        let event = EventFacts(clientID: client.id, message: "issued \(server.tokenFormat == .opaque ? "an opaque" : "a JWT") access token to client \(client.id)",
                               detail: detail)
        return TokenOutcome(client: client, response: response, event: event)
    }
}
