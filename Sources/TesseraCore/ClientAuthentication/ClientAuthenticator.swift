import JWTKit
import TesseraJWT
import TesseraStore

/// The one place that authenticates clients, for every endpoint that takes client authentication
/// (token now; introspection and revocation use the same), so the rules cannot drift.
///
/// Requires the client's registered method and explains every failure: which method the client is
/// registered with, what the request carried instead, and what it should carry.
public struct ClientAuthenticator: Sendable {
    let directory: Directory
    let assertions: ClientAssertionVerifier
    let publicURL: String
    let limiter: RateLimiter?
    let secretUses: SecretUseRecorder

    /// `limiter` nil: no rate limits and no lockout (tools and tests that call the core directly).
    public init(directory: Directory, assertions: ClientAssertionVerifier, publicURL: String, limiter: RateLimiter? = nil) {
        self.directory = directory
        self.assertions = assertions
        self.publicURL = publicURL
        self.limiter = limiter
        secretUses = SecretUseRecorder(clients: directory.stores.clients, clock: assertions.clock)
    }

    /// The client the request authenticated as at `endpoint`, or an `invalid_client` (or
    /// `invalid_request`) error. An assertion's `aud` may name the issuer, the token endpoint or the
    /// URL of `endpoint` (`ClientAuthEndpoint.acceptedAudiences`, the one place of that rule).
    ///
    /// With a limiter, `address` (the caller's) is admitted first, a client id locked out for that
    /// address is refused before its credentials are checked, a failed authentication counts towards
    /// that lock, and an authenticated client must be within its own limit: each a 429.
    public func authenticate(_ credentials: ClientCredentials, server: AuthorizationServer,
                             at endpoint: ClientAuthEndpoint, from address: String? = nil) async throws(OAuthError) -> AuthenticatedClient {
        try limiter?.admit(address: address)
        if case .basic(let basicID, _, let parameter?) = credentials, parameter != basicID {
            throw OAuthError(.invalidRequest, .clientAuthClientIDMismatch,
                             "client_id \(quoted(parameter)) differs from the client id in the Authorization header \(quoted(basicID))", clientID: basicID)
        }
        var claimed = credentials.claimedClientID
        var parsed: ParsedJWT<AssertionClaims>?
        if claimed == nil, case .assertion(let assertion?, _, _) = credentials {
            parsed = try ClientAssertionVerifier.peek(assertion)
            claimed = parsed?.claims.sub ?? parsed?.claims.iss
        }
        guard let claimed else {
            throw OAuthError(.invalidClient, .clientAuthMissing,
                             "the request carried no client authentication; send client_id and the credentials of the client's registered method (GET {issuer}/.well-known/oauth-authorization-server?client_id=ID shows it)")
        }
        guard let limiter else {
            return try await identify(claimed, credentials, parsed: parsed, server: server, at: endpoint)
        }
        let failuresOnRecord = try limiter.checkLockout(clientID: claimed, address: address)
        let authenticated: AuthenticatedClient
        do {
            authenticated = try await identify(claimed, credentials, parsed: parsed, server: server, at: endpoint)
        } catch {
            if error.code == .invalidClient { limiter.recordFailure(clientID: claimed, address: address) }
            throw error
        }
        // Nearly every request has no failures on record: no second lookup for them.
        if failuresOnRecord { limiter.recordSuccess(clientID: authenticated.client.id, address: address) }
        try limiter.admit(client: authenticated.client, server: server)
        return authenticated
    }

    /// The registered client `clientID` (claimed by the request), once its credentials prove it.
    private func identify(_ clientID: String, _ credentials: ClientCredentials, parsed: ParsedJWT<AssertionClaims>?,
                          server: AuthorizationServer, at endpoint: ClientAuthEndpoint) async throws(OAuthError) -> AuthenticatedClient {
        let found: Client? = try await storeCall("client authentication") { () throws(StoreError) in try await directory.client(id: clientID) }
        guard let client = found, client.server == server.name else {
            throw OAuthError(.invalidClient, .clientAuthUnknownClient,
                             "no client \(quoted(clientID)) is registered on authorization server \(quoted(server.name))", clientID: clientID)
        }
        guard client.enabled else {
            throw OAuthError(.invalidClient, .clientAuthClientDisabled, "client \(client.id) is disabled", clientID: client.id)
        }
        let secretID = try await verify(credentials, parsed: parsed, client: client, maxLifetime: server.maxAssertionLifetime.map { Double($0) },
                                        acceptedAudiences: endpoint.acceptedAudiences(IssuerURLs(publicURL: publicURL, server: server.name)))
        if let secretID { secretUses.note(clientID: client.id, secretID: secretID) }
        return AuthenticatedClient(client: client, secretID: secretID)
    }

    private func verify(_ credentials: ClientCredentials, parsed: ParsedJWT<AssertionClaims>?,
                        client: Client, maxLifetime: Double?, acceptedAudiences: @autoclosure () -> [String]) async throws(OAuthError) -> String? {
        let method = client.authMethod
        let carried = credentials.carried
        func mismatch(_ reason: ReasonCode = .clientAuthMethodMismatch) -> OAuthError {
            let what = carried.isEmpty ? "no credentials" : carried
            return OAuthError(.invalidClient, reason,
                              "client \(client.id) authenticates with \(method.rawValue); the request carried \(what). Expected \(method.requirement)",
                              detail: ["registered_method": method.rawValue], clientID: client.id)
        }

        switch (method, credentials) {
        case (.clientSecretBasic, .basic(_, let secret, _)):
            return try checkSecret(secret, client: client)
        case (.clientSecretPost, .post(let clientID, let secret)):
            guard clientID != nil else {
                throw OAuthError(.invalidClient, .clientAuthSecretMissing, "client_secret_post needs client_id in the body next to client_secret", clientID: client.id)
            }
            return try checkSecret(secret, client: client)
        case (.clientSecretBasic, .none), (.clientSecretPost, .none):
            throw mismatch(.clientAuthSecretMissing)
        case (.clientSecretJWT, .assertion(let assertion, let type, let clientIDParameter)),
             (.privateKeyJWT, .assertion(let assertion, let type, let clientIDParameter)):
            guard let assertion else {
                throw OAuthError(.invalidClient, .assertionMissing,
                                 "client \(client.id) authenticates with \(method.rawValue); the request carried client_assertion_type but no client_assertion", clientID: client.id)
            }
            guard let type else {
                throw OAuthError(.invalidClient, .assertionTypeMissing,
                                 "client_assertion was sent without client_assertion_type; add client_assertion_type=\(ClientAssertionVerifier.assertionType)", clientID: client.id)
            }
            guard type == ClientAssertionVerifier.assertionType else {
                throw OAuthError(.invalidClient, .assertionTypeInvalid,
                                 "client_assertion_type must be \(ClientAssertionVerifier.assertionType); got \(quoted(type))", clientID: client.id)
            }
            return try await assertions.verify(assertion, parsed: parsed, client: client, clientIDParameter: clientIDParameter, acceptedAudiences: acceptedAudiences(),
                                        maxLifetime: maxLifetime)
        case (.clientSecretJWT, .none), (.privateKeyJWT, .none):
            throw OAuthError(.invalidClient, .assertionMissing,
                             "client \(client.id) authenticates with \(method.rawValue); the request carried no client_assertion. Expected \(method.requirement)",
                             detail: ["registered_method": method.rawValue], clientID: client.id)
        case (.none, .none):
            return nil
        default:
            throw mismatch()
        }
    }

    /// The id of the client's valid secret that `secret` is; a secret that expired is told apart from a wrong one.
    private func checkSecret(_ secret: String, client: Client) throws(OAuthError) -> String {
        let now = assertions.clock.now
        guard let entry = ClientSecret.entry(for: secret, in: client.secrets) else {
            throw OAuthError(.invalidClient, .clientAuthSecretInvalid,
                             "the client secret presented for client \(client.id) is not one of its secrets", clientID: client.id)
        }
        guard entry.isValid(at: now) else {
            throw OAuthError(.invalidClient, .clientAuthSecretExpired,
                             "the client secret presented for client \(client.id) is secret \(entry.id), which expired at \(entry.expiresAt?.epochSeconds ?? 0) after a rotation; use the client's current secret",
                             detail: ["secret_id": entry.id], clientID: client.id)
        }
        return entry.id
    }
}
