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

    public init(directory: Directory, assertions: ClientAssertionVerifier) {
        self.directory = directory
        self.assertions = assertions
    }

    /// The client the request authenticated as, or an `invalid_client` (or `invalid_request`) error.
    /// `acceptedAudiences` are the URLs an assertion's `aud` may name (issuer, token endpoint, this endpoint);
    /// built only when the client authenticates with an assertion.
    public func authenticate(_ presented: PresentedCredentials, server: AuthorizationServer,
                             acceptedAudiences: @autoclosure () -> [String]) async throws(OAuthError) -> Client {
        let basic = try presented.authorizationHeader.flatMap { header throws(OAuthError) in try BasicCredentials.parse(authorizationHeader: header) }
        let usesAssertion = presented.clientAssertion != nil || presented.clientAssertionType != nil
        if (basic != nil ? 1 : 0) + (presented.clientSecret != nil ? 1 : 0) + (usesAssertion ? 1 : 0) > 1 {
            let used = [basic != nil ? "an Authorization: Basic header" : nil,
                        presented.clientSecret != nil ? "client_secret in the body" : nil,
                        usesAssertion ? "client_assertion" : nil].compactMap { $0 }
            throw OAuthError(.invalidRequest, .clientAuthMultipleMethods,
                             "the request authenticates the client in more than one way (\(used.joined(separator: " and "))); use only the client's registered method",
                             clientID: basic?.clientID ?? presented.clientID)
        }

        var clientID = basic?.clientID ?? presented.clientID
        if let basic, let parameter = presented.clientID, parameter != basic.clientID {
            throw OAuthError(.invalidRequest, .clientAuthClientIDMismatch,
                             "client_id \(quoted(parameter)) differs from the client id in the Authorization header \(quoted(basic.clientID))", clientID: basic.clientID)
        }
        var parsed: ParsedJWT<AssertionClaims>?
        if clientID == nil, let assertion = presented.clientAssertion {
            parsed = try ClientAssertionVerifier.peek(assertion)
            clientID = parsed?.claims.sub ?? parsed?.claims.iss
        }
        guard let clientID else {
            throw OAuthError(.invalidClient, .clientAuthMissing,
                             "the request carried no client authentication; send client_id and the credentials of the client's registered method (GET {issuer}/.well-known/oauth-authorization-server?client_id=ID shows it)")
        }

        let found: Client?
        do {
            found = try await directory.client(id: clientID)
        } catch {
            throw OAuthError.internalFailure(error, during: "client authentication")
        }
        guard let client = found, client.server == server.name else {
            throw OAuthError(.invalidClient, .clientAuthUnknownClient,
                             "no client \(quoted(clientID)) is registered on authorization server \(quoted(server.name))", clientID: clientID)
        }
        guard client.enabled else {
            throw OAuthError(.invalidClient, .clientAuthClientDisabled, "client \(client.id) is disabled", clientID: client.id)
        }
        try await verify(presented, basic: basic, parsed: parsed, client: client, acceptedAudiences: acceptedAudiences())
        return client
    }

    private func verify(_ presented: PresentedCredentials, basic: BasicCredentials?, parsed: ParsedJWT<AssertionClaims>?,
                        client: Client, acceptedAudiences: @autoclosure () -> [String]) async throws(OAuthError) {
        let method = client.authMethod
        let carried: String
        if basic != nil { carried = "client_secret_basic (an Authorization: Basic header)" }
        else if presented.clientSecret != nil { carried = "client_secret_post (client_secret in the body)" }
        else if presented.clientAssertion != nil || presented.clientAssertionType != nil { carried = "a client_assertion" }
        else { carried = "" }
        func mismatch(_ reason: ReasonCode = .clientAuthMethodMismatch) -> OAuthError {
            let what = carried.isEmpty ? "no credentials" : carried
            return OAuthError(.invalidClient, reason,
                              "client \(client.id) authenticates with \(method.rawValue); the request carried \(what). Expected \(method.requirement)",
                              detail: ["registered_method": method.rawValue], clientID: client.id)
        }

        switch method {
        case .clientSecretBasic:
            guard let basic else { throw mismatch(carried.isEmpty ? .clientAuthSecretMissing : .clientAuthMethodMismatch) }
            try checkSecret(basic.secret, client: client)
        case .clientSecretPost:
            guard let secret = presented.clientSecret else { throw mismatch(carried.isEmpty ? .clientAuthSecretMissing : .clientAuthMethodMismatch) }
            guard presented.clientID != nil else {
                throw OAuthError(.invalidClient, .clientAuthSecretMissing, "client_secret_post needs client_id in the body next to client_secret", clientID: client.id)
            }
            try checkSecret(secret, client: client)
        case .clientSecretJWT, .privateKeyJWT:
            guard let assertion = presented.clientAssertion else {
                if presented.clientAssertionType != nil {
                    throw OAuthError(.invalidClient, .assertionMissing,
                                     "client \(client.id) authenticates with \(method.rawValue); the request carried client_assertion_type but no client_assertion", clientID: client.id)
                }
                if carried.isEmpty {
                    throw OAuthError(.invalidClient, .assertionMissing,
                                     "client \(client.id) authenticates with \(method.rawValue); the request carried no client_assertion. Expected \(method.requirement)",
                                     detail: ["registered_method": method.rawValue], clientID: client.id)
                }
                throw mismatch()
            }
            guard let type = presented.clientAssertionType else {
                throw OAuthError(.invalidClient, .assertionTypeMissing,
                                 "client_assertion was sent without client_assertion_type; add client_assertion_type=\(ClientAssertionVerifier.assertionType)", clientID: client.id)
            }
            guard type == ClientAssertionVerifier.assertionType else {
                throw OAuthError(.invalidClient, .assertionTypeInvalid,
                                 "client_assertion_type must be \(ClientAssertionVerifier.assertionType); got \(quoted(type))", clientID: client.id)
            }
            try await assertions.verify(assertion, parsed: parsed, client: client, clientIDParameter: presented.clientID, acceptedAudiences: acceptedAudiences())
        case .none:
            guard carried.isEmpty else { throw mismatch() }
        }
    }

    private func checkSecret(_ secret: String, client: Client) throws(OAuthError) {
        guard let hash = client.secretHash, ClientSecret.matches(secret, storedHash: hash) else {
            throw OAuthError(.invalidClient, .clientAuthSecretInvalid,
                             "the client secret presented for client \(client.id) is not its current secret", clientID: client.id)
        }
    }
}
