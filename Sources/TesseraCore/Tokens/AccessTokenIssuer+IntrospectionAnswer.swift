import TesseraJSON
import TesseraStore

extension AccessTokenIssuer {
    /// The media type a caller asks for with `Accept` to get an RFC 9701 answer, and that answer's `Content-Type`.
    public static let introspectionAnswerMediaType = "application/token-introspection+jwt"

    /// RFC 9701: `members` (the RFC 7662 answer) as a JWT signed with the server's current key and
    /// addressed to `audience` (the caller's client id), for resource servers that must be able to prove
    /// what the server said.
    public func signIntrospectionAnswer(_ members: [(String, JSONValue)], audience: String, server: AuthorizationServer) async throws(OAuthError) -> String {
        let signer = try await currentSigner(of: server, clientID: audience, \.introspectionSigner)
        let payload = JSONWriter.object([
            ("iss", .string(issuer(of: server))), ("aud", .string(audience)),
            ("iat", .number(Double(clock.now.epochSeconds))),
            ("token_introspection", .object(Dictionary(members, uniquingKeysWith: { first, _ in first }))),
        ])
        do {
            return try signer.sign(payload: payload)
        } catch {
            throw OAuthError.internalFailure(error, during: "signing the introspection answer")
        }
    }
}
