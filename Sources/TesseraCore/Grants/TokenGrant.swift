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

/// What the grants of signed-in users (authorization code, refresh token) are built from, once per node.
public struct UserGrantParts: Sendable {
    let directory: Directory
    let tokens: UserTokenIssuer
    let clock: any WallClock
    /// Told when a reuse revoked a family, so this node's verifier drops its revocation caches at once.
    let revoked: @Sendable () -> Void

    public init(directory: Directory, issuer: AccessTokenIssuer, clock: any WallClock, revoked: @escaping @Sendable () -> Void = {}) {
        self.directory = directory
        self.tokens = UserTokenIssuer(issuer: issuer, directory: directory, clock: clock)
        self.clock = clock
        self.revoked = revoked
    }
}

/// A grant of signed-in users: reaches its parts by name.
protocol UserGrant: TokenGrant {
    var parts: UserGrantParts { get }
}

extension UserGrant {
    var directory: Directory { parts.directory }
    var tokens: UserTokenIssuer { parts.tokens }
    var clock: any WallClock { parts.clock }
    var revoked: @Sendable () -> Void { parts.revoked }
}
