import TesseraStore

/// Decides the scopes of a token: those asked for, or the client's own when none were asked for;
/// every one must be defined on the server and allowed to the client, or be one of `builtIn` (the
/// OpenID Connect scopes of user flows, `UserScopes`), which every server knows and every client may ask for.
enum ScopeSelection {
    static func select(requested: String?, client: Client, server: AuthorizationServer, directory: Directory,
                       builtIn: [String] = []) async throws(OAuthError) -> [String] {
        let asked = (requested ?? "").split(separator: " ").map(String.init)
        if let bad = asked.first(where: { !Scope.isValidName($0) }) {
            throw OAuthError(.invalidScope, .scopeMalformed, "scope \(quoted(bad)) is not a valid scope token; separate scopes with single spaces", clientID: client.id)
        }
        if asked.isEmpty { return client.scopes }
        let defined: Set<String> = try await storeCall("the scope check") { () throws(StoreError) in try await directory.scopeNames(server: server.name) }
        var result: [String] = []
        for scope in asked where !result.contains(scope) {
            if builtIn.contains(scope) {
                result.append(scope)
                continue
            }
            guard defined.contains(scope) else {
                throw OAuthError(.invalidScope, .scopeNotDefined,
                                 "scope \(quoted(scope)) is not defined on authorization server \(quoted(server.name)); defined scopes: [\((defined.sorted() + builtIn).joined(separator: ", "))]",
                                 detail: ["requested": asked.joined(separator: " ")], clientID: client.id)
            }
            guard client.scopes.contains(scope) else {
                throw OAuthError(.invalidScope, .scopeNotGranted,
                                 "client \(client.id) may not request scope \(quoted(scope)); it may request [\((client.scopes + builtIn).joined(separator: ", "))]",
                                 detail: ["requested": asked.joined(separator: " "), "allowed": client.scopes.joined(separator: " ")], clientID: client.id)
            }
            result.append(scope)
        }
        return result
    }
}
