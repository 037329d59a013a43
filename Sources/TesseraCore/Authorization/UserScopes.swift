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
        let asked = (requested ?? "").split(separator: " ").map(String.init)
        if let bad = asked.first(where: { !Scope.isValidName($0) }) {
            throw OAuthError(.invalidScope, .scopeMalformed, "scope \(quoted(bad)) is not a valid scope token; separate scopes with single spaces", clientID: client.id)
        }
        if asked.isEmpty { return client.scopes }
        let defined: Set<String> = try await storeCall("the scope check") { () throws(StoreError) in try await directory.scopeNames(server: server.name) }
        var result: [String] = []
        for scope in asked where !result.contains(scope) {
            if builtInNames.contains(scope) {
                result.append(scope)
                continue
            }
            guard defined.contains(scope) else {
                throw OAuthError(.invalidScope, .scopeNotDefined,
                                 "scope \(quoted(scope)) is not defined on authorization server \(quoted(server.name)); defined scopes: [\((defined.sorted() + builtIn.map(\.name)).joined(separator: ", "))]",
                                 detail: ["requested": asked.joined(separator: " ")], clientID: client.id)
            }
            guard client.scopes.contains(scope) else {
                throw OAuthError(.invalidScope, .scopeNotGranted,
                                 "client \(client.id) may not request scope \(quoted(scope)); it may request [\((client.scopes + builtIn.map(\.name)).joined(separator: ", "))]",
                                 detail: ["requested": asked.joined(separator: " "), "allowed": client.scopes.joined(separator: " ")], clientID: client.id)
            }
            result.append(scope)
        }
        return result
    }
}
