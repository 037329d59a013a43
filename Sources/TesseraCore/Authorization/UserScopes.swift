import TesseraStore

/// The scopes of a user flow: the OpenID Connect scopes every server knows without defining them, plus
/// the server's own scopes the client may request.
public enum UserScopes {
    /// OpenID Connect's scopes (Core §5.4, §11) and what the consent page says about each.
    public static let builtIn: [(name: String, description: String)] = [
        ("openid", "Sign you in with your account"),
        ("profile", "See your name and username"),
        ("email", "See your email address"),
        ("groups", "See the groups you belong to"),
        ("offline_access", "Stay connected while you are away (refresh tokens)"),
    ]
    public static let builtInNames: Set<String> = Set(builtIn.map(\.name))

    /// The scopes granted for `requested` (the client's own when none are asked for): each must be a
    /// built-in scope or a scope of the server the client may request.
    static func select(requested: String?, client: Client, server: AuthorizationServer, directory: Directory) async throws(OAuthError) -> [String] {
        try await ScopeSelection.select(requested: requested, client: client, server: server, directory: directory, builtIn: builtIn.map(\.name))
    }
}
