import Foundation
import TesseraJSON

/// A registered OAuth client of one authorization server.
///
/// Secrets are never stored in clear: each of `secrets` holds SHA-256 of a secret and, only for
/// `client_secret_jwt` (which needs the secret itself), the secret sealed with AES-GCM under the master key.
public struct Client: Sendable, Hashable, Codable {
    public var id: String
    public var server: String
    public var name: String
    public var authMethod: ClientAuthMethod
    /// The client's secrets, newest first: during a rotation's overlap the old ones authenticate until
    /// their expiry. Empty for key and public clients.
    public var secrets: [ClientSecretEntry]
    /// Inline public keys (a JWKS document) for `private_key_jwt`.
    public var jwks: String?
    /// The inline keys `jwks` replaced, still accepted until `previousJWKSExpiresAt` (a key rotation's overlap).
    public var previousJWKS: String?
    public var previousJWKSExpiresAt: Date?
    /// Where to fetch the public keys for `private_key_jwt`, instead of `jwks`.
    public var jwksURI: String?
    /// Scopes the client may request; also what it gets when it asks for none.
    public var scopes: [String]
    /// Claims added to every access token issued to this client.
    public var claims: [String: JSONValue]
    /// Resources (audiences) this client serves as a resource server: it may introspect tokens whose
    /// `aud` names one of them, besides its own tokens.
    public var introspectableResources: [String]
    public var enabled: Bool
    public var createdAt: Date
    /// This client's own limit on the token, introspection and revocation endpoints; nil: its server's
    /// limit, else the deployment's.
    public var rateLimit: RateLimit?
    /// The grants the client may use at the token endpoint (`client_credentials`, `authorization_code`,
    /// `refresh_token`); a refresh token is only issued to a client that has `refresh_token`.
    public var grantTypes: [String]
    /// The redirect URIs of the authorization code flow, compared exactly (a loopback `http://127.0.0.1`
    /// or `http://[::1]` URI matches with any port, RFC 8252 §7.3).
    public var redirectURIs: [String]
    /// Where RP-initiated logout may send the browser afterwards, compared exactly.
    public var postLogoutRedirectURIs: [String]
    /// A first-party client's users are not asked to consent to its scopes.
    public var firstParty: Bool

    /// Whether `id` can name a client: 6 to 64 characters of the URL-safe alphabet (RFC 3986 unreserved),
    /// so it reads the same in a form, a path and a JWT.
    public static func isValidID(_ id: String) -> Bool {
        (6...64).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
        }
    }

    public init(
        id: String, server: String, name: String, authMethod: ClientAuthMethod,
        secrets: [ClientSecretEntry] = [], jwks: String? = nil, jwksURI: String? = nil,
        scopes: [String] = [], claims: [String: JSONValue] = [:], introspectableResources: [String] = [], enabled: Bool = true, createdAt: Date,
        rateLimit: RateLimit? = nil, previousJWKS: String? = nil, previousJWKSExpiresAt: Date? = nil,
        grantTypes: [String] = ["client_credentials"], redirectURIs: [String] = [], postLogoutRedirectURIs: [String] = [], firstParty: Bool = false
    ) {
        self.grantTypes = grantTypes
        self.redirectURIs = redirectURIs
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
        self.firstParty = firstParty
        self.rateLimit = rateLimit
        self.previousJWKS = previousJWKS
        self.previousJWKSExpiresAt = previousJWKSExpiresAt
        self.id = id
        self.server = server
        self.name = name
        self.authMethod = authMethod
        self.secrets = secrets
        self.jwks = jwks
        self.jwksURI = jwksURI
        self.scopes = scopes
        self.claims = claims
        self.introspectableResources = introspectableResources
        self.enabled = enabled
        self.createdAt = createdAt
    }
}
