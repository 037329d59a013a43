import TesseraStore

/// The `client_credentials` grant (RFC 6749 §4.4): a confidential client gets a token for itself.
public struct ClientCredentialsGrant: TokenGrant {
    public let grantType = "client_credentials"
    let directory: Directory
    let issuer: AccessTokenIssuer

    public init(directory: Directory, issuer: AccessTokenIssuer) {
        self.directory = directory
        self.issuer = issuer
    }

    public func handle(_ request: TokenRequest, client: Client, server: AuthorizationServer) async throws(OAuthError) -> TokenResponse {
        guard client.authMethod != .none else {
            throw OAuthError(.unauthorizedClient, .grantPublicClient,
                             "client \(client.id) is a public client (auth method none); the client_credentials grant needs a confidential client with a secret or key",
                             clientID: client.id)
        }
        try requireRegistered(client)
        let scopes = try await ScopeSelection.select(requested: request.scope, client: client, server: server, directory: directory)
        let audiences = try ResourceSelection.select(requested: request.resources, server: server, clientID: client.id)
        return try await issuer.issue(subject: client.id, client: client, server: server, scopes: scopes, audiences: audiences)
    }
}
