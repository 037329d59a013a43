import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraStore

/// How every OAuth endpoint of an authorization server (token, introspection, revocation) is put on
/// the router: the handler gets the server named in the path, and the request is marked as one that
/// leaves an event before anything else runs — for its method and for every other method
/// (`MethodGuard`), so no route can forget its event.
enum OAuthEndpointRoute {
    /// The OAuth endpoints' paths and event names, in registration order (the event walk test reads it).
    static let endpoints: [(name: String, path: RouterPath)] = [
        ("token", "/oauth2/:server/v1/token"),
        ("introspect", "/oauth2/:server/v1/introspect"),
        ("revoke", "/oauth2/:server/v1/revoke"),
        ("authorize", "/oauth2/:server/v1/authorize"),
        ("userinfo", "/oauth2/:server/v1/userinfo"),
        ("logout", "/oauth2/:server/v1/logout"),
    ]

    /// Gets the request, its context, the server named in the path and the caller's address.
    typealias Handler = @Sendable (Request, TesseraRequestContext, AuthorizationServer, String?) async throws -> Response

    /// Registers `handler` for `POST` on the endpoint called `name`, and `MethodGuard` answers on its path.
    static func post(_ name: String, on router: Router<TesseraRequestContext>, runtime: TesseraRuntime, _ handler: @escaping Handler) {
        register(name, methods: [.post], on: router, runtime: runtime, handler)
    }

    /// Registers `handler` for each of `methods` (GET and POST for authorize, userinfo and logout).
    static func register(_ name: String, methods: [HTTPRequest.Method], on router: Router<TesseraRequestContext>, runtime: TesseraRuntime,
                         _ handler: @escaping Handler) {
        guard let path = endpoints.first(where: { $0.name == name })?.path else {
            preconditionFailure("\(name) is not among OAuthEndpointRoute.endpoints")  // a programming error, found at start
        }
        for method in methods {
            router.on(path, method: method) { request, context in
                let server = try await runtime.beginRequest(context, endpoint: name)
                let caller = ClientAddress.resolve(peer: context.remoteAddress, headers: request.headers, trusted: runtime.settings.trustedProxies)
                if caller.address != context.remoteAddress || !caller.detail.isEmpty { context.event.note(caller) }
                return try await handler(request, context, server, caller.address)
            }
        }
        MethodGuard.only(methods, path: path, on: router) { context in
            context.event.begin(endpoint: name, server: context.parameters.get("server") ?? "")
        }
    }
}
