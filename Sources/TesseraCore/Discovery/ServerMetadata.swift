import TesseraJSON
import TesseraStore

/// The RFC 8414 / OpenID discovery document of one authorization server.
///
/// Built from the same values the endpoints enforce (registered methods, grant handlers, scopes), so
/// discovery and behaviour cannot disagree. With a client, the auth-method and alg lists narrow to
/// what that client must use.
public struct ServerMetadata: Codable, Sendable, Equatable {
    public var issuer: String
    public var tokenEndpoint: String
    public var jwksURI: String
    public var introspectionEndpoint: String
    public var revocationEndpoint: String
    public var grantTypesSupported: [String]
    public var responseTypesSupported: [String]
    public var scopesSupported: [String]
    public var tokenEndpointAuthMethodsSupported: [String]
    public var tokenEndpointAuthSigningAlgValuesSupported: [String]?
    public var introspectionEndpointAuthMethodsSupported: [String]
    public var introspectionEndpointAuthSigningAlgValuesSupported: [String]?
    public var revocationEndpointAuthMethodsSupported: [String]
    public var revocationEndpointAuthSigningAlgValuesSupported: [String]?
    public var idTokenSigningAlgValuesSupported: [String]
    public var subjectTypesSupported: [String]
    public var authorizationEndpoint: String
    public var userinfoEndpoint: String
    public var endSessionEndpoint: String
    public var responseModesSupported: [String]
    public var codeChallengeMethodsSupported: [String]
    public var authorizationResponseIssParameterSupported: Bool
    public var claimsSupported: [String]
    public var promptValuesSupported: [String]

    enum CodingKeys: String, CodingKey {
        case issuer
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case introspectionEndpoint = "introspection_endpoint"
        case revocationEndpoint = "revocation_endpoint"
        case grantTypesSupported = "grant_types_supported"
        case responseTypesSupported = "response_types_supported"
        case scopesSupported = "scopes_supported"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        case tokenEndpointAuthSigningAlgValuesSupported = "token_endpoint_auth_signing_alg_values_supported"
        case introspectionEndpointAuthMethodsSupported = "introspection_endpoint_auth_methods_supported"
        case introspectionEndpointAuthSigningAlgValuesSupported = "introspection_endpoint_auth_signing_alg_values_supported"
        case revocationEndpointAuthMethodsSupported = "revocation_endpoint_auth_methods_supported"
        case revocationEndpointAuthSigningAlgValuesSupported = "revocation_endpoint_auth_signing_alg_values_supported"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
        case subjectTypesSupported = "subject_types_supported"
        case authorizationEndpoint = "authorization_endpoint"
        case userinfoEndpoint = "userinfo_endpoint"
        case endSessionEndpoint = "end_session_endpoint"
        case responseModesSupported = "response_modes_supported"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
        case authorizationResponseIssParameterSupported = "authorization_response_iss_parameter_supported"
        case claimsSupported = "claims_supported"
        case promptValuesSupported = "prompt_values_supported"
    }

    /// The claims ID tokens, userinfo and user access tokens can carry.
    public static let userClaims = [
        "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "azp", "at_hash",
        "name", "preferred_username", "updated_at", "email", "email_verified", "groups", "username",
    ]

    public init(server: AuthorizationServer, publicURL: String, grantTypes: [String], scopes: [String], client: Client?) {
        let urls = IssuerURLs(publicURL: publicURL, server: server.name)
        issuer = urls.issuer
        tokenEndpoint = urls.tokenEndpoint
        jwksURI = urls.jwksURI
        introspectionEndpoint = urls.introspectionEndpoint
        revocationEndpoint = urls.revocationEndpoint
        grantTypesSupported = grantTypes
        responseTypesSupported = ["code"]
        scopesSupported = scopes + UserScopes.builtIn.map(\.name).filter { !scopes.contains($0) }
        authorizationEndpoint = urls.authorizationEndpoint
        userinfoEndpoint = urls.userinfoEndpoint
        endSessionEndpoint = urls.endSessionEndpoint
        responseModesSupported = ["query"]
        codeChallengeMethodsSupported = ["S256"]
        authorizationResponseIssParameterSupported = true
        claimsSupported = Self.userClaims
        promptValuesSupported = ["none", "login", "consent", "select_account"]
        let methods: [String]
        let algs: [String]
        if let client {
            methods = [client.authMethod.rawValue]
            algs = client.authMethod.assertionAlgorithms
        } else {
            methods = ClientAuthMethod.allCases.map(\.rawValue)
            algs = ClientAuthMethod.clientSecretJWT.assertionAlgorithms + ClientAuthMethod.privateKeyJWT.assertionAlgorithms
        }
        tokenEndpointAuthMethodsSupported = methods
        tokenEndpointAuthSigningAlgValuesSupported = algs.isEmpty ? nil : algs
        let confidential = methods.filter { $0 != ClientAuthMethod.none.rawValue }
        introspectionEndpointAuthMethodsSupported = confidential
        introspectionEndpointAuthSigningAlgValuesSupported = algs.isEmpty ? nil : algs
        revocationEndpointAuthMethodsSupported = confidential
        revocationEndpointAuthSigningAlgValuesSupported = algs.isEmpty ? nil : algs
        idTokenSigningAlgValuesSupported = SigningKeyFactory.supportedAlgorithms
        subjectTypesSupported = ["public"]
    }

    /// The document's members with their RFC 8414 names, sorted by name (stable bytes for caches and
    /// tests); the alg lists are left out when no method of the document uses an algorithm.
    public var members: [(String, JSONValue)] {
        func list(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
        var members: [(String, JSONValue)] = [
            ("grant_types_supported", list(grantTypesSupported)),
            ("id_token_signing_alg_values_supported", list(idTokenSigningAlgValuesSupported)),
            ("introspection_endpoint", .string(introspectionEndpoint)),
            ("introspection_endpoint_auth_methods_supported", list(introspectionEndpointAuthMethodsSupported)),
            ("introspection_endpoint_auth_signing_alg_values_supported", introspectionEndpointAuthSigningAlgValuesSupported.map(list) ?? .null),
            ("issuer", .string(issuer)),
            ("jwks_uri", .string(jwksURI)),
            ("response_types_supported", list(responseTypesSupported)),
            ("revocation_endpoint", .string(revocationEndpoint)),
            ("revocation_endpoint_auth_methods_supported", list(revocationEndpointAuthMethodsSupported)),
            ("revocation_endpoint_auth_signing_alg_values_supported", revocationEndpointAuthSigningAlgValuesSupported.map(list) ?? .null),
            ("scopes_supported", list(scopesSupported)),
            ("subject_types_supported", list(subjectTypesSupported)),
            ("token_endpoint", .string(tokenEndpoint)),
            ("token_endpoint_auth_methods_supported", list(tokenEndpointAuthMethodsSupported)),
            ("token_endpoint_auth_signing_alg_values_supported", tokenEndpointAuthSigningAlgValuesSupported.map(list) ?? .null),
        ]
        members += [
            ("authorization_endpoint", .string(authorizationEndpoint)),
            ("authorization_response_iss_parameter_supported", .bool(authorizationResponseIssParameterSupported)),
            ("claims_supported", list(claimsSupported)),
            ("code_challenge_methods_supported", list(codeChallengeMethodsSupported)),
            ("end_session_endpoint", .string(endSessionEndpoint)),
            ("prompt_values_supported", list(promptValuesSupported)),
            ("response_modes_supported", list(responseModesSupported)),
            ("userinfo_endpoint", .string(userinfoEndpoint)),
        ]
        members.removeAll { $0.1 == .null }
        return members.sorted { $0.0 < $1.0 }
    }
}
