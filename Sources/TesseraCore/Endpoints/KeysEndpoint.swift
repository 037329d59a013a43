import TesseraStore

/// `GET {issuer}/v1/keys` without HTTP: the JWKS (RFC 7517 §5) of one server, the bytes its key ring
/// rendered when it was loaded.
public struct KeysEndpoint: Sendable {
    let directory: Directory

    public init(directory: Directory) {
        self.directory = directory
    }

    public func handle(server: AuthorizationServer) async throws(OAuthError) -> KeysOutcome {
        let ring = try await storeCall("loading the signing keys") { () throws(StoreError) in try await directory.keyRing(server: server.name) }
        let event = EventFacts(clientID: nil, message: "served the JWKS (\(ring.kids.count) key\(ring.kids.count == 1 ? "" : "s"))",
                               detail: ["kids": ring.kids.joined(separator: " ")])
        return KeysOutcome(jwks: ring.jwksDocument, etag: ring.jwksETag, event: event)
    }
}
