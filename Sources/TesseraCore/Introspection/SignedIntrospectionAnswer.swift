import TesseraStore
import TesseraJSON

/// RFC 9701: an introspection answer as a JWT signed with the server's current key, addressed to the
/// caller, for resource servers that must be able to prove what the server said.
public struct SignedIntrospectionAnswer: Sendable {
    /// The media type a caller asks for with `Accept`, and the answer's `Content-Type`.
    public static let mediaType = "application/token-introspection+jwt"

    let directory: Directory
    let clock: any WallClock
    let publicURL: String

    public init(directory: Directory, clock: any WallClock, publicURL: String) {
        self.directory = directory
        self.clock = clock
        self.publicURL = publicURL
    }

    /// The compact JWS of `members` (the RFC 7662 answer) for `audience` (the caller's client id).
    public func sign(_ members: [(String, JSONValue)], audience: String, server: AuthorizationServer) async throws(OAuthError) -> String {
        let ring: ServerKeyRing = try await storeCall("loading the signing keys") { () throws(StoreError) in try await directory.keyRing(server: server.name) }
        guard let signer = ring.introspectionSigner else {
            throw OAuthError(.serverError, .serverNoSigningKey, "authorization server \(quoted(server.name)) has no active signing key")
        }
        let payload = JSONWriter.object([
            ("iss", .string(IssuerURLs(publicURL: publicURL, server: server.name).issuer)), ("aud", .string(audience)),
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
