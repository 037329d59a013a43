import TesseraStore

/// One grant type of the token endpoint (fosite's handler shape): adding a grant never touches the others.
public protocol TokenGrant: Sendable {
    /// The `grant_type` value this grant handles.
    var grantType: String { get }
    /// Validates the request for the authenticated client and issues the response.
    func handle(_ request: TokenRequest, client: Client, server: AuthorizationServer) async throws(OAuthError) -> TokenResponse
}

extension TokenGrant {
    /// Refuses a client that is not registered for this grant (`clients update --grant-type`).
    func requireRegistered(_ client: Client) throws(OAuthError) {
        guard client.grantTypes.contains(grantType) else {
            throw OAuthError(.unauthorizedClient, .grantNotAllowed,
                             "client \(client.id) may not use the \(grantType) grant; its grant types are [\(client.grantTypes.joined(separator: ", "))]",
                             clientID: client.id)
        }
    }
}
