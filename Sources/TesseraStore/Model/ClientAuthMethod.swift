/// How a client proves its identity (RFC 6749 §2.3, RFC 7523, OIDC Core §9).
///
/// Each client is registered with exactly one method, and the same method is required at every
/// endpoint that authenticates clients.
public enum ClientAuthMethod: String, Sendable, Hashable, Codable, CaseIterable {
    case clientSecretBasic = "client_secret_basic"
    case clientSecretPost = "client_secret_post"
    case clientSecretJWT = "client_secret_jwt"
    case privateKeyJWT = "private_key_jwt"
    case none = "none"

    /// Methods whose credential is a server-generated secret.
    public var usesSecret: Bool {
        self == .clientSecretBasic || self == .clientSecretPost || self == .clientSecretJWT
    }

    /// Methods that authenticate with a signed JWT assertion (RFC 7523).
    public var usesAssertion: Bool { self == .clientSecretJWT || self == .privateKeyJWT }

    /// The JWS algorithms an assertion may be signed with under this method.
    public var assertionAlgorithms: [String] {
        switch self {
        case .clientSecretJWT: return ["HS256", "HS384", "HS512"]
        case .privateKeyJWT: return ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
        default: return []
        }
    }

    /// What a request must carry for this method, in words for error descriptions.
    public var requirement: String {
        switch self {
        case .clientSecretBasic:
            return "an Authorization: Basic header with the form-urlencoded client_id and client_secret"
        case .clientSecretPost:
            return "client_id and client_secret in the form body"
        case .clientSecretJWT:
            return "client_assertion (a JWT signed with HS256 over the client secret) and client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        case .privateKeyJWT:
            return "client_assertion (a JWT signed with the client's private key) and client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        case .none:
            return "only client_id (public client)"
        }
    }
}
