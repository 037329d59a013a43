import TesseraJSON
import TesseraStore

/// `GET {issuer}/.well-known/oauth-authorization-server` (RFC 8414) and `openid-configuration`
/// without HTTP: the metadata of one server, narrowed to one client's method and algorithms when the
/// request names a client (`?client_id=`).
public struct DiscoveryEndpoint: Sendable {
    let directory: Directory
    let publicURL: String
    let grantTypes: [String]

    public init(directory: Directory, publicURL: String, grantTypes: [String]) {
        self.directory = directory
        self.publicURL = publicURL
        self.grantTypes = grantTypes
    }

    /// The document of `server`; with `clientID`, a 404 `not_found` when no such client is registered on it.
    public func handle(server: AuthorizationServer, clientID: String?) async throws(OAuthError) -> DiscoveryOutcome {
        var client: Client?
        var event: EventFacts?
        if let clientID {
            let found = try await storeCall("loading the client") { () throws(StoreError) in try await directory.client(id: clientID) }
            guard let found, found.server == server.name else {
                throw OAuthError(.notFound, .requestUnknownClient,
                                 "no client \(quoted(clientID)) is registered on authorization server \(quoted(server.name))", clientID: clientID)
            }
            client = found
            event = EventFacts(clientID: clientID, message: "discovery for client \(clientID): registered method \(found.authMethod.rawValue)")
        }
        let scopes = try await storeCall("loading the scopes") { () throws(StoreError) in try await directory.scopeNames(server: server.name) }.sorted()
        let metadata = ServerMetadata(server: server, publicURL: publicURL, grantTypes: grantTypes, scopes: scopes, client: client)
        return DiscoveryOutcome(document: JSONWriter.object(metadata.members), cacheable: client == nil, event: event)
    }
}
