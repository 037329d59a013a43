/// The parameters of a token request that grants read, as plain values.
public struct TokenRequest: Sendable {
    public var grantType: String?
    /// The raw `scope` parameter (space-separated), if sent.
    public var scope: String?
    /// RFC 8707 `resource` parameters, in order.
    public var resources: [String]
    /// `authorization_code`: the code, the redirect URI it was issued for and the PKCE verifier.
    public var code: String?
    public var redirectURI: String?
    public var codeVerifier: String?
    /// `refresh_token`: the refresh token.
    public var refreshToken: String?

    public init(grantType: String?, scope: String? = nil, resources: [String] = [], code: String? = nil, redirectURI: String? = nil,
                codeVerifier: String? = nil, refreshToken: String? = nil) {
        self.code = code
        self.redirectURI = redirectURI
        self.codeVerifier = codeVerifier
        self.refreshToken = refreshToken
        self.grantType = grantType
        self.scope = scope
        self.resources = resources
    }
}
