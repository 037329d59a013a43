import TesseraStore

/// Authenticates an introspection caller by `Authorization: Bearer <access token>` (Asgardeo style):
/// the token must be an active access token of this server carrying `tessera:introspect`, and the
/// caller is the client it was issued to.
public struct BearerCaller: Sendable {
    let verifier: TokenVerifier
    let directory: Directory

    public init(verifier: TokenVerifier, directory: Directory) {
        self.verifier = verifier
        self.directory = directory
    }

    /// The bearer token in an Authorization header, or nil when the header is not a Bearer one.
    /// The scheme is case-insensitive (RFC 7235).
    public static func token(fromAuthorizationHeader header: String?) -> String? {
        // Read on the bytes: every introspection asks this of its Authorization header, Basic ones included.
        guard let bytes = header?.utf8 else { return nil }
        let space = UInt8(ascii: " ")
        var index = bytes.startIndex
        while index < bytes.endIndex, bytes[index] == space { index = bytes.index(after: index) }
        let schemeStart = index
        while index < bytes.endIndex, bytes[index] != space { index = bytes.index(after: index) }
        // `| 0x20` lowercases ASCII letters and turns no other byte into one of "bearer".
        guard bytes.distance(from: schemeStart, to: index) == 6,
              zip(bytes[schemeStart..<index], "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 }),
              index < bytes.endIndex, bytes.index(after: index) < bytes.endIndex else { return nil }
        var end = bytes.endIndex
        while index < end, bytes[index] == space { index = bytes.index(after: index) }
        while end > index, bytes[bytes.index(before: end)] == space { end = bytes.index(before: end) }
        return String(Substring(bytes[index..<end]))
    }

    public func authenticate(_ token: String, server: AuthorizationServer) async throws(OAuthError) -> IntrospectionCaller {
        let facts: TokenFacts
        switch try await verifier.check(token, server: server) {
        case .inactive(let reason, let detail):
            var logged = detail
            logged["bearer_reason"] = reason.rawValue
            throw OAuthError(.invalidToken, .bearerTokenInvalid,
                             "the Bearer token is not an active access token of authorization server \(quoted(server.name)) (\(reason.rawValue)); get a new token with the scope \(Introspector.introspectScope)",
                             detail: logged)
        case .active(let active):
            facts = active
        }
        guard facts.kind == .accessToken else {
            throw OAuthError(.invalidToken, .bearerTokenInvalid, "a refresh token cannot be used as a Bearer token; use an access token", clientID: facts.clientID)
        }
        guard facts.scopes.contains(Introspector.introspectScope) else {
            throw OAuthError(.insufficientScope, .bearerScopeMissing,
                             "the Bearer token of client \(facts.clientID) lacks the scope \(Introspector.introspectScope); it has [\(facts.scopes.joined(separator: ", "))]",
                             detail: ["scope": Introspector.introspectScope], clientID: facts.clientID)
        }
        let found: Client?
        do {
            found = try await directory.client(id: facts.clientID)
        } catch {
            throw OAuthError.internalFailure(error, during: "loading the calling client")
        }
        guard let client = found, client.enabled else {
            throw OAuthError(.invalidToken, .bearerTokenInvalid, "the client \(facts.clientID) behind the Bearer token no longer exists or is disabled", clientID: facts.clientID)
        }
        return IntrospectionCaller(client: client, viaBearer: true)
    }
}
