import TesseraStore

/// Decides the scopes of a token: those asked for, or the client's own when none were asked for;
/// every one must be defined on the server and allowed to the client.
enum ScopeSelection {
    static func select(requested: String?, client: Client, server: AuthorizationServer, directory: Directory) async throws(OAuthError) -> [String] {
        let asked = (requested ?? "").split(separator: " ").map(String.init)
        if let bad = asked.first(where: { !Scope.isValidName($0) }) {
            throw OAuthError(.invalidScope, .scopeMalformed, "scope \(quoted(bad)) is not a valid scope token; separate scopes with single spaces", clientID: client.id)
        }
        if asked.isEmpty { return client.scopes }
        let defined: Set<String> = try await storeCall("the scope check") { () throws(StoreError) in try await directory.scopeNames(server: server.name) }
        var result: [String] = []
        for scope in asked where !result.contains(scope) {
            guard defined.contains(scope) else {
                throw OAuthError(.invalidScope, .scopeNotDefined,
                                 "scope \(quoted(scope)) is not defined on authorization server \(quoted(server.name)); defined scopes: [\(defined.sorted().joined(separator: ", "))]",
                                 detail: ["requested": asked.joined(separator: " ")], clientID: client.id)
            }
            guard client.scopes.contains(scope) else {
                throw OAuthError(.invalidScope, .scopeNotGranted,
                                 "client \(client.id) may not request scope \(quoted(scope)); it may request [\(client.scopes.joined(separator: ", "))]",
                                 detail: ["requested": asked.joined(separator: " "), "allowed": client.scopes.joined(separator: " ")], clientID: client.id)
            }
            result.append(scope)
        }
        return result
    }
}

/// Decides the audience of a token from RFC 8707 `resource` parameters, or the server's default.
enum ResourceSelection {
    static func select(requested: [String], server: AuthorizationServer, clientID: String) throws(OAuthError) -> [String] {
        if requested.isEmpty {
            return server.defaultAudience.map { [$0] } ?? []
        }
        var result: [String] = []
        for resource in requested where !result.contains(resource) {
            guard isAbsoluteURIWithoutFragment(resource) else {
                throw OAuthError(.invalidTarget, .resourceInvalid,
                                 "resource \(quoted(resource)) must be an absolute URI without a fragment (RFC 8707)", clientID: clientID)
            }
            guard server.audiences.contains(resource) else {
                throw OAuthError(.invalidTarget, .resourceNotAllowed,
                                 "resource \(quoted(resource)) is not an audience of authorization server \(quoted(server.name)); its audiences are [\(server.audiences.joined(separator: ", "))]",
                                 clientID: clientID)
            }
            result.append(resource)
        }
        return result
    }

    static func isAbsoluteURIWithoutFragment(_ text: String) -> Bool {
        guard !text.contains("#"), !text.contains(" "), let colon = text.firstIndex(of: ":"), colon != text.startIndex else { return false }
        let scheme = text[..<colon]
        guard let first = scheme.unicodeScalars.first, first.properties.isAlphabetic else { return false }
        return scheme.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)) }
            && text.index(after: colon) < text.endIndex
    }
}
