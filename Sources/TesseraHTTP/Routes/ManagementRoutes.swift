import HTTPTypes
import Hummingbird
import NIOCore
import TesseraCore
import TesseraJSON
import TesseraStore
import TesseraWire

/// `{public-url}/api/v1/…`, the management API (`openapi.yaml` describes it): every route names the
/// `tessera.*` scope it needs, gets the caller from `ManagementAPI.authorize`, and leaves one event
/// (endpoint `management`, server `system`, the admin client) by construction, like the OAuth
/// endpoints. Errors are RFC 9457 problem documents (`OAuthError+Problem.swift`).
struct ManagementRoutes {
    let runtime: TesseraRuntime

    /// What a handler gets: the path names, the query, the body read as JSON, `If-Match`, the caller.
    struct Call: Sendable {
        let parameters: Parameters
        let query: [String: String]
        let input: ManagementInput
        let ifMatch: String?
        let caller: ManagementAPI.Caller

        /// A path parameter, percent-decoded (a scope may be named `orders=read` or `a/b`: %3D, %2F in the path).
        func path(_ name: String) -> String {
            let raw = parameters.get(name) ?? ""
            return raw.removingPercentEncoding ?? raw
        }
    }

    typealias Handler = @Sendable (ManagementAPI, Call) async throws(OAuthError) -> ManagementAPI.Answer

    struct Route {
        let method: HTTPRequest.Method
        let scope: SystemServer.Scope
        /// Whether the route needs a JSON body (creating and changing), takes one (rotations) or none.
        var body: Body = .none
        let handler: Handler
    }

    enum Body { case none, optional, required }

    /// The routes by path, in the order `openapi.yaml` lists them.
    static let table: [(path: String, routes: [Route])] = [
        ("/api/v1/servers", [
            Route(method: .get, scope: .serversRead) { api, call throws(OAuthError) in try await api.listServers(caller: call.caller) },
            Route(method: .post, scope: .serversManage, body: .required) { api, call throws(OAuthError) in try await api.createServer(call.input, caller: call.caller) },
        ]),
        ("/api/v1/servers/:server", [
            Route(method: .get, scope: .serversRead) { api, call throws(OAuthError) in try await api.server(call.path("server"), caller: call.caller) },
            Route(method: .patch, scope: .serversManage, body: .required) { api, call throws(OAuthError) in
                try await api.updateServer(call.path("server"), call.input, ifMatch: call.ifMatch, caller: call.caller)
            },
            Route(method: .delete, scope: .serversManage) { api, call throws(OAuthError) in try await api.deleteServer(call.path("server"), caller: call.caller) },
        ]),
        ("/api/v1/servers/:server/scopes", [
            Route(method: .get, scope: .serversRead) { api, call throws(OAuthError) in try await api.listScopes(server: call.path("server"), caller: call.caller) },
            Route(method: .post, scope: .serversManage, body: .required) { api, call throws(OAuthError) in
                try await api.createScope(server: call.path("server"), call.input, caller: call.caller)
            },
        ]),
        ("/api/v1/servers/:server/scopes/:scope", [
            Route(method: .get, scope: .serversRead) { api, call throws(OAuthError) in
                try await api.scope(server: call.path("server"), scope: call.path("scope"), caller: call.caller)
            },
            Route(method: .patch, scope: .serversManage, body: .required) { api, call throws(OAuthError) in
                try await api.updateScope(server: call.path("server"), scope: call.path("scope"), call.input, caller: call.caller)
            },
            Route(method: .delete, scope: .serversManage) { api, call throws(OAuthError) in
                try await api.deleteScope(server: call.path("server"), scope: call.path("scope"), caller: call.caller)
            },
        ]),
        ("/api/v1/servers/:server/clients", [
            Route(method: .get, scope: .clientsRead) { api, call throws(OAuthError) in try await api.listClients(server: call.path("server"), caller: call.caller) },
            Route(method: .post, scope: .clientsManage, body: .required) { api, call throws(OAuthError) in
                try await api.createClient(server: call.path("server"), call.input, caller: call.caller)
            },
        ]),
        ("/api/v1/servers/:server/keys", [
            Route(method: .get, scope: .keysRead) { api, call throws(OAuthError) in try await api.listKeys(server: call.path("server"), caller: call.caller) },
            Route(method: .post, scope: .keysManage, body: .optional) { api, call throws(OAuthError) in try await api.rotateKey(server: call.path("server"), call.input, caller: call.caller) },
        ]),
        ("/api/v1/servers/:server/keys/:kid", [
            Route(method: .delete, scope: .keysManage) { api, call throws(OAuthError) in
                try await api.retireKey(server: call.path("server"), kid: call.path("kid"), caller: call.caller)
            },
        ]),
        ("/api/v1/clients/:client", [
            Route(method: .get, scope: .clientsRead) { api, call throws(OAuthError) in try await api.client(call.path("client"), caller: call.caller) },
            Route(method: .patch, scope: .clientsManage, body: .required) { api, call throws(OAuthError) in
                try await api.updateClient(call.path("client"), call.input, ifMatch: call.ifMatch, caller: call.caller)
            },
            Route(method: .delete, scope: .clientsManage) { api, call throws(OAuthError) in
                try await api.deleteClient(call.path("client"), ifMatch: call.ifMatch, caller: call.caller)
            },
        ]),
        ("/api/v1/clients/:client/secrets", [
            Route(method: .get, scope: .clientsRead) { api, call throws(OAuthError) in try await api.listSecrets(call.path("client"), caller: call.caller) },
            Route(method: .post, scope: .clientsManage, body: .optional) { api, call throws(OAuthError) in try await api.rotateSecret(call.path("client"), call.input, caller: call.caller) },
        ]),
        ("/api/v1/clients/:client/secrets/:secret", [
            Route(method: .delete, scope: .clientsManage) { api, call throws(OAuthError) in
                try await api.revokeSecret(call.path("client"), secretID: call.path("secret"), caller: call.caller)
            },
        ]),
        ("/api/v1/clients/:client/jwks", [
            Route(method: .put, scope: .clientsManage, body: .required) { api, call throws(OAuthError) in
                try await api.replaceJWKS(call.path("client"), call.input, ifMatch: call.ifMatch, caller: call.caller)
            },
        ]),
        ("/api/v1/users", [
            Route(method: .get, scope: .usersRead) { api, call throws(OAuthError) in try await api.listUsers(caller: call.caller) },
            Route(method: .post, scope: .usersManage, body: .required) { api, call throws(OAuthError) in try await api.createUser(call.input, caller: call.caller) },
        ]),
        ("/api/v1/users/:user", [
            Route(method: .get, scope: .usersRead) { api, call throws(OAuthError) in try await api.user(call.path("user"), caller: call.caller) },
            Route(method: .patch, scope: .usersManage, body: .required) { api, call throws(OAuthError) in
                try await api.updateUser(call.path("user"), call.input, ifMatch: call.ifMatch, caller: call.caller)
            },
            Route(method: .delete, scope: .usersManage) { api, call throws(OAuthError) in try await api.deleteUser(call.path("user"), caller: call.caller) },
        ]),
        ("/api/v1/users/:user/sessions", [
            Route(method: .get, scope: .usersRead) { api, call throws(OAuthError) in try await api.sessions(ofUser: call.path("user"), caller: call.caller) },
        ]),
        ("/api/v1/users/:user/sign-out", [
            Route(method: .post, scope: .usersManage) { api, call throws(OAuthError) in try await api.signOut(user: call.path("user"), caller: call.caller) },
        ]),
        ("/api/v1/users/:user/lockout", [
            Route(method: .delete, scope: .usersManage) { api, call throws(OAuthError) in try await api.unlock(user: call.path("user"), caller: call.caller) },
        ]),
        ("/api/v1/groups", [
            Route(method: .get, scope: .usersRead) { api, call throws(OAuthError) in try await api.listGroups(caller: call.caller) },
            Route(method: .post, scope: .usersManage, body: .required) { api, call throws(OAuthError) in try await api.createGroup(call.input, caller: call.caller) },
        ]),
        ("/api/v1/groups/:group", [
            Route(method: .delete, scope: .usersManage) { api, call throws(OAuthError) in try await api.deleteGroup(call.path("group"), caller: call.caller) },
        ]),
        ("/api/v1/groups/:group/members/:user", [
            Route(method: .put, scope: .usersManage) { api, call throws(OAuthError) in
                try await api.setMember(group: call.path("group"), user: call.path("user"), member: true, caller: call.caller)
            },
            Route(method: .delete, scope: .usersManage) { api, call throws(OAuthError) in
                try await api.setMember(group: call.path("group"), user: call.path("user"), member: false, caller: call.caller)
            },
        ]),
        ("/api/v1/events", [
            Route(method: .get, scope: .eventsRead) { api, call throws(OAuthError) in try await api.events(query: call.query, caller: call.caller) },
        ]),
    ]

    func register(on router: Router<TesseraRequestContext>) {
        for (path, routes) in Self.table {
            let routerPath = RouterPath(path)
            for route in routes {
                router.on(routerPath, method: route.method) { request, context in
                    try await handle(request, context: context, route: route, path: path)
                }
            }
            MethodGuard.only(routes.map(\.method), path: routerPath, on: router) { context in
                context.event.begin(endpoint: "management", server: SystemServer.name)
            }
        }
    }

    private func handle(_ request: Request, context: TesseraRequestContext, route: Route, path: String) async throws -> Response {
        context.event.begin(endpoint: "management", server: SystemServer.name)
        context.event.note(message: "\(request.method.rawValue) \(path)", detail: ["route": "\(request.method.rawValue) \(path)"])
        let caller = try await runtime.management.authorize(bearer: AuthorizationHeader.bearerToken(request.headers.value(.authorization)), needs: route.scope)
        context.event.note(clientID: caller.clientID, message: "\(request.method.rawValue) \(path)")
        let input = route.body == .none ? ManagementInput(members: [:]) : try await Self.body(request, context: context, required: route.body == .required)
        let query = try Self.query(request)
        let call = Call(parameters: context.parameters, query: query, input: input, ifMatch: request.headers.value(.ifMatch), caller: caller)
        let answer = try await route.handler(runtime.management, call)
        context.event.note(answer.event)
        if answer.changed { _ = try? await runtime.refreshCaches() }
        var headers: HTTPFields = [.cacheControl: "no-store"]
        if let etag = answer.etag { headers[.eTag] = etag }
        if let location = answer.location { headers[.location] = runtime.settings.publicURL + location }
        guard let body = answer.body else { return Response(status: .init(code: answer.status), headers: headers) }
        return JSONResponse.make(body, status: .init(code: answer.status), headers: headers)
    }

    /// The body as one JSON object; `application/json` (or a `+json` type) when there is one.
    static func body(_ request: Request, context: TesseraRequestContext, required: Bool) async throws -> ManagementInput {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            throw OAuthError(.invalidRequest, .requestBodyTooLarge, "the request body is larger than \(context.maxUploadSize / 1024) KiB", status: 413)
        }
        let bytes = Array(buffer.readableBytesView)
        if bytes.isEmpty, required {
            throw OAuthError(.invalidRequest, .apiBodyMalformed, "\(request.method.rawValue) \(request.uri.path) needs a JSON object body (application/json)")
        }
        if !bytes.isEmpty {
            let type = (request.headers.value(.contentType) ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            guard type == "application/json" || type.hasSuffix("+json") else {
                throw OAuthError(.invalidRequest, .requestContentType,
                                 "the request has \(type.isEmpty ? "no Content-Type" : "Content-Type \(quoted(type))"); send the body as application/json", status: 415)
            }
        }
        return try ManagementInput(body: bytes)
    }

    /// The query parameters, each at most once and none without a value (`cursor=` is a mistake, not "no cursor").
    static func query(_ request: Request) throws(OAuthError) -> [String: String] {
        for pair in (request.uri.query ?? "").split(separator: "&") where !pair.contains("=") || pair.hasSuffix("=") {
            let name = String(pair.split(separator: "=").first ?? "")
            throw ManagementInput.problem(.apiFieldInvalid, name, "query parameter \(quoted(name)) has no value; give one or leave the parameter out")
        }
        return Dictionary(try request.queryParameters().pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }
}
