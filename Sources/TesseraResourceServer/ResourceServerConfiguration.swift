import Foundation

/// How an API validates tokens: which issuer and audience it trusts, and how it introspects.
public struct ResourceServerConfiguration: Sendable {
    /// The issuer URL, e.g. `https://auth.example.com/oauth2/default`; discovery is read from it once.
    public var issuer: String
    /// The audience this API is (`aud` must contain it).
    public var audience: String
    /// Tolerated clock difference for `exp` and `nbf`.
    public var clockSkew: TimeInterval = 30
    /// Credentials to call the introspection endpoint with; needed for `.introspect` and opaque tokens.
    public var introspection: IntrospectionCredentials?
    /// Introspection answers kept at most this many (least recently stored dropped first).
    public var introspectionCacheEntries: Int = 10_000
    /// Positive introspection answers are cached at most this long (and never beyond the token's `exp`).
    public var introspectionCacheTTL: TimeInterval = 60
    /// Negative answers (`active: false`) are cached this long.
    public var negativeCacheTTL: TimeInterval = 5
    /// Unknown `kid`s refetch the JWKS at most this often.
    public var jwksRefetchInterval: TimeInterval = 10
    /// JWKS lifetime when the server sends no `Cache-Control: max-age`.
    public var defaultJWKSLifetime: TimeInterval = 300
    /// Locally verified tokens kept at most this many.
    public var verifiedCacheEntries: Int = 100_000

    /// A trailing `/` of `issuer` is dropped, so `…/oauth2/default/` and `…/oauth2/default` name the same issuer.
    public init(issuer: String, audience: String, introspection: IntrospectionCredentials? = nil) {
        var trimmed = issuer
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.issuer = trimmed
        self.audience = audience
        self.introspection = introspection
    }
}
