/// The endpoints that authenticate clients; an assertion's `aud` may name the issuer, the token
/// endpoint, or the URL of the endpoint it is sent to (RFC 7523 §3, OIDC Core §9).
public enum ClientAuthEndpoint: Sendable {
    case token, introspection, revocation

    /// The audiences an assertion sent to this endpoint of `urls`'s server may name.
    func acceptedAudiences(_ urls: IssuerURLs) -> [String] {
        switch self {
        case .token: urls.assertionAudiences
        case .introspection: urls.assertionAudiences + [urls.introspectionEndpoint]
        case .revocation: urls.assertionAudiences + [urls.revocationEndpoint]
        }
    }
}
