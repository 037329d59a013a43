import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TesseraCore
import TesseraStore

/// Discovery (RFC 8414 and OpenID Connect Discovery) and the JWKS of each authorization server.
struct DiscoveryRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<TesseraRequestContext>) {
        let discoveryPaths: [RouterPath] = [
            "/oauth2/:server/.well-known/openid-configuration",
            "/oauth2/:server/.well-known/oauth-authorization-server",
            "/.well-known/oauth-authorization-server/oauth2/:server",
        ]
        for path in discoveryPaths {
            // HEAD answers as GET does (RFC 9110 §9.3.2); the server sends its headers without the body.
            router.get(path) { request, context in try await metadata(request, context: context) }
            router.head(path) { request, context in try await metadata(request, context: context) }
            MethodGuard.only(.get, .head, path: path, on: router)
        }
        router.get("/oauth2/:server/v1/keys") { _, context in try await keys(context: context) }
        router.head("/oauth2/:server/v1/keys") { _, context in try await keys(context: context) }
        MethodGuard.only(.get, .head, path: "/oauth2/:server/v1/keys", on: router)
    }

    func metadata(_ request: Request, context: TesseraRequestContext) async throws -> Response {
        let name = context.parameters.get("server") ?? ""
        let query = try request.queryParameters()
        if query["client_id"] != nil { context.event.begin(endpoint: "discovery", server: name) }
        let server = try await runtime.server(named: name)
        var client: Client?
        if let clientID = query["client_id"] {
            let found = try await runtime.directory.client(id: clientID)
            guard let found, found.server == server.name else {
                throw OAuthError(.notFound, .requestUnknownClient,
                                 "no client \(quoted(clientID)) is registered on authorization server \(quoted(server.name))")
            }
            client = found
            context.event.note(clientID: clientID, message: "discovery for client \(clientID): registered method \(found.authMethod.rawValue)")
        }
        let scopes = try await runtime.directory.scopeNames(server: server.name).sorted()
        let document = ServerMetadata(server: server, publicURL: runtime.settings.publicURL, grantTypes: runtime.tokens.grantTypes, scopes: scopes, client: client)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let caching = client == nil ? "public, max-age=300" : "no-store"
        return JSONResponse.bytes(Array(try encoder.encode(document)), headers: [.cacheControl: caching])
    }

    func keys(context: TesseraRequestContext) async throws -> Response {
        let server = try await runtime.beginRequest(context, endpoint: "keys")
        let ring: ServerKeyRing = try await storeCall("loading the signing keys") { try await runtime.directory.keyRing(server: server.name) }
        context.event.note(message: "served the JWKS (\(ring.kids.count) key\(ring.kids.count == 1 ? "" : "s"))", detail: ["kids": ring.kids.joined(separator: " ")])
        return JSONResponse.bytes(ring.jwksDocument, headers: [.cacheControl: "public, max-age=\(runtime.settings.jwksMaxAge)"])
    }
}
