/// The parameters of a token request that grants read, as plain values.
public struct TokenRequest: Sendable {
    public var grantType: String?
    /// The raw `scope` parameter (space-separated), if sent.
    public var scope: String?
    /// RFC 8707 `resource` parameters, in order.
    public var resources: [String]

    public init(grantType: String?, scope: String? = nil, resources: [String] = []) {
        self.grantType = grantType
        self.scope = scope
        self.resources = resources
    }
}

/// A successful token response (RFC 6749 §5.1).
public struct TokenResponse: Sendable, Codable, Equatable {
    public var accessToken: String
    public var tokenType: String
    public var expiresIn: Int
    public var scope: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case scope
    }

    public init(accessToken: String, tokenType: String = "Bearer", expiresIn: Int, scope: String?) {
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.expiresIn = expiresIn
        self.scope = scope
    }
}
