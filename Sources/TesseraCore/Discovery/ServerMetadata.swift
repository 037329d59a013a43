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
    }

    public init(server: AuthorizationServer, publicURL: String, grantTypes: [String], scopes: [String], client: Client?) {
        let urls = IssuerURLs(publicURL: publicURL, server: server.name)
        issuer = urls.issuer
        tokenEndpoint = urls.tokenEndpoint
        jwksURI = urls.jwksURI
        introspectionEndpoint = urls.introspectionEndpoint
        revocationEndpoint = urls.revocationEndpoint
        grantTypesSupported = grantTypes
        responseTypesSupported = ["token"]
        scopesSupported = scopes
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
        members.removeAll { $0.1 == .null }
        return members
    }
}
