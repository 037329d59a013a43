import TesseraWire

/// Builds the redirect back to the client (RFC 6749 §4.1.2): the registered redirect URI with `code` or
/// `error`/`error_description`, plus `state` and `iss` (RFC 9207) in the query.
public struct AuthorizationRedirect: Sendable, Equatable {
    public let redirectURI: String
    public let state: String?
    public let issuer: String

    public init(redirectURI: String, state: String?, issuer: String) {
        self.redirectURI = redirectURI
        self.state = state
        self.issuer = issuer
    }

    /// The URL carrying an authorization code.
    public func code(_ code: String) -> String {
        url([("code", code)])
    }

    /// The URL carrying an error (the description is the same sentence the event log gets).
    public func error(_ error: OAuthError) -> String {
        url([("error", error.code.rawValue), ("error_description", error.description)])
    }

    func url(_ parameters: [(String, String)]) -> String {
        var all = parameters
        if let state { all.append(("state", state)) }
        all.append(("iss", issuer))
        let query = FormURLEncoding.encode(all)
        let separator = redirectURI.contains("?") ? "&" : "?"
        return redirectURI + separator + query
    }
}
