import Synchronization
import TesseraJSON
import TesseraStore

/// `GET {issuer}/.well-known/oauth-authorization-server` (RFC 8414) and `openid-configuration`
/// without HTTP: the metadata of one server, narrowed to one client's method and algorithms when the
/// request names a client (`?client_id=`). The plain document of a server is rendered once per change
/// of the server or its scopes and served from those bytes.
public struct DiscoveryEndpoint: Sendable {
    let directory: Directory
    let publicURL: String
    let grantTypes: [String]
    let rendered: RenderedDocuments

    public init(directory: Directory, publicURL: String, grantTypes: [String], capacity: Int = CacheLimits().servers) {
        self.directory = directory
        self.publicURL = publicURL
        self.grantTypes = grantTypes
        rendered = RenderedDocuments(capacity: capacity)
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
        let scopes = try await storeCall("loading the scopes") { () throws(StoreError) in try await directory.scopeNames(server: server.name) }
        if client == nil, let document = rendered.document(server: server, scopes: scopes) {
            return DiscoveryOutcome(document: document, cacheable: true, event: nil)
        }
        let metadata = ServerMetadata(server: server, publicURL: publicURL, grantTypes: grantTypes, scopes: scopes.sorted(), client: client)
        let document = JSONWriter.object(metadata.members)
        if client == nil { rendered.keep(document, server: server, scopes: scopes) }
        return DiscoveryOutcome(document: document, cacheable: client == nil, event: event)
    }
}

/// The plain discovery documents, each with the server settings and scopes it was rendered from: a
/// document is served while both are unchanged (the directory reloads them after a change), so the
/// rendering happens once per change of either.
final class RenderedDocuments: Sendable {
    private struct Rendered: Sendable {
        let server: AuthorizationServer
        let scopes: Set<String>
        let bytes: [UInt8]
    }

    private let table: Mutex<BoundedTable<String, Rendered>>
    /// How many documents were rendered and kept (for the tests).
    let renders = Atomic<Int>(0)

    init(capacity: Int) {
        table = Mutex(BoundedTable(capacity: capacity))
    }

    func document(server: AuthorizationServer, scopes: Set<String>) -> [UInt8]? {
        table.withLock { table in
            guard let rendered = table.value(for: server.name), rendered.server == server, rendered.scopes == scopes else { return nil }
            return rendered.bytes
        }
    }

    func keep(_ bytes: [UInt8], server: AuthorizationServer, scopes: Set<String>) {
        renders.wrappingAdd(1, ordering: .relaxed)
        table.withLock { $0.set(Rendered(server: server, scopes: scopes, bytes: bytes), for: server.name) }
    }
}
