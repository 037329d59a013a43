import TesseraStore

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
