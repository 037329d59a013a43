import TesseraStore

/// The URLs of one authorization server, derived from the deployment's public URL.
///
/// Discovery, assertion `aud` checks and token `iss` all read them from here, so they cannot disagree.
public struct IssuerURLs: Sendable, Equatable {
    public let issuer: String

    public init(publicURL: String, server: String) {
        var base = publicURL
        while base.utf8.last == UInt8(ascii: "/") { base.removeLast() }
        issuer = base + "/oauth2/" + server
    }

    public var tokenEndpoint: String { issuer + "/v1/token" }
    /// What a client assertion's `aud` may name at any endpoint: the issuer or the token endpoint (RFC 7523 §3);
    /// other endpoints add their own URL.
    public var assertionAudiences: [String] { [issuer, tokenEndpoint] }
    public var introspectionEndpoint: String { issuer + "/v1/introspect" }
    public var revocationEndpoint: String { issuer + "/v1/revoke" }
    public var jwksURI: String { issuer + "/v1/keys" }
    public var authorizationEndpoint: String { issuer + "/v1/authorize" }
    public var userinfoEndpoint: String { issuer + "/v1/userinfo" }
    public var endSessionEndpoint: String { issuer + "/v1/logout" }
}
