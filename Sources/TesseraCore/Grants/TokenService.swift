import TesseraStore

/// The token endpoint without HTTP: picks the grant, authenticates the client, runs the grant.
public struct TokenService: Sendable {
    let authenticator: ClientAuthenticator
    let grants: [String: any TokenGrant]

    public init(authenticator: ClientAuthenticator, grants: [any TokenGrant]) {
        self.authenticator = authenticator
        self.grants = Dictionary(grants.map { ($0.grantType, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The grant types this deployment supports, for discovery.
    public var grantTypes: [String] { grants.keys.sorted() }

    public func handle(_ request: TokenRequest, credentials: ClientCredentials, server: AuthorizationServer) async throws(OAuthError) -> (client: Client, response: TokenResponse) {
        guard let grantType = request.grantType else {
            throw OAuthError(.invalidRequest, .grantTypeMissing, "the token request has no grant_type; expected one of [\(grantTypes.joined(separator: ", "))]", clientID: credentials.claimedClientID)
        }
        guard let grant = grants[grantType] else {
            throw OAuthError(.unsupportedGrantType, .grantTypeUnsupported,
                             "grant_type \(quoted(grantType)) is not supported; expected one of [\(grantTypes.joined(separator: ", "))]", clientID: credentials.claimedClientID)
        }
        let client = try await authenticator.authenticate(credentials, server: server, at: .token)
        return (client, try await grant.handle(request, client: client, server: server))
    }
}
