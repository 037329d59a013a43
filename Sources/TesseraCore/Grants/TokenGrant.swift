import TesseraStore

/// One grant type of the token endpoint (fosite's handler shape): adding a grant never touches the others.
public protocol TokenGrant: Sendable {
    /// The `grant_type` value this grant handles.
    var grantType: String { get }
    /// Validates the request for the authenticated client and issues the response.
    func handle(_ request: TokenRequest, client: Client, server: AuthorizationServer) async throws(OAuthError) -> TokenResponse
}
