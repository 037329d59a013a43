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
        router.get("/oauth2/:server/v1/keys") { request, context in try await keys(request, context: context) }
        router.head("/oauth2/:server/v1/keys") { request, context in try await keys(request, context: context) }
        MethodGuard.only(.get, .head, path: "/oauth2/:server/v1/keys", on: router)
    }

    func metadata(_ request: Request, context: TesseraRequestContext) async throws -> Response {
        let name = context.parameters.get("server") ?? ""
        let clientID = try request.queryParameters()["client_id"]
        if clientID != nil { context.event.begin(endpoint: "discovery", server: name) }
        let outcome = try await runtime.discovery.handle(server: try await runtime.server(named: name), clientID: clientID)
        if let facts = outcome.event { context.event.note(facts) }
        return JSONResponse.bytes(outcome.document, headers: [.cacheControl: outcome.cacheable ? "public, max-age=300" : "no-store"])
    }

    /// The JWKS, cacheable for as long as a new key is published before it signs (`max-age` equals the
    /// publish delay), with an `ETag`; a matching `If-None-Match` gets 304 without the body.
    func keys(_ request: Request, context: TesseraRequestContext) async throws -> Response {
        let outcome = try await runtime.keys.handle(server: try await runtime.beginRequest(context, endpoint: "keys"))
        context.event.note(outcome.event)
        let headers: HTTPFields = [.cacheControl: "public, max-age=\(runtime.settings.jwksMaxAge)", .eTag: outcome.etag]
        if let cached = request.headers[.ifNoneMatch], cached.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == outcome.etag }) {
            return Response(status: .notModified, headers: headers)
        }
        return JSONResponse.bytes(outcome.jwks, headers: headers)
    }
}
