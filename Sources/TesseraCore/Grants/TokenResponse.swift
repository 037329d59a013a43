import TesseraStore
import TesseraJSON

/// A successful token response (RFC 6749 §5.1).
public struct TokenResponse: Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String
    public var expiresIn: Int
    public var scope: String?

    public init(accessToken: String, tokenType: String = "Bearer", expiresIn: Int, scope: String?) {
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
        return members
    }
}
