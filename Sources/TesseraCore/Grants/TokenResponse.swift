import TesseraStore
import TesseraJSON

/// A successful token response (RFC 6749 §5.1).
public struct TokenResponse: Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String
    public var expiresIn: Int
    public var scope: String?
    /// OpenID Connect's ID token, when `openid` was granted.
    public var idToken: String?
    /// A refresh token, when `offline_access` was granted to a client with the refresh_token grant.
    public var refreshToken: String?

    public init(accessToken: String, tokenType: String = "Bearer", expiresIn: Int, scope: String?, idToken: String? = nil, refreshToken: String? = nil) {
        self.idToken = idToken
        self.refreshToken = refreshToken
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.expiresIn = expiresIn
        self.scope = scope
    }

    /// The JSON members of the answer, in the order clients see them.
    public var members: [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [
            ("token_type", .string(tokenType)), ("expires_in", .number(Double(expiresIn))), ("access_token", .string(accessToken)),
        ]
        if let scope { members.append(("scope", .string(scope))) }
        if let refreshToken { members.append(("refresh_token", .string(refreshToken))) }
        if let idToken { members.append(("id_token", .string(idToken))) }
        return members
    }
}
