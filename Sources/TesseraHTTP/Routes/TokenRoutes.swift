import HTTPTypes
import Hummingbird
import NIOCore
import TesseraCore
import TesseraStore

/// `POST {issuer}/v1/token`: parse, authenticate and grant through the core, render RFC 6749 §5.1.
struct TokenRoutes {
    let runtime: TesseraRuntime

    /// Parameters that clients are seen sending in the query string; everything else must be in the body.
    static let queryAllowed = ["client_id", "client_assertion", "client_assertion_type"]

    func register(on router: Router<TesseraRequestContext>) {
        router.post("/oauth2/:server/v1/token") { request, context in
            try await token(request, context: context)
        }
        MethodGuard.only(.post, path: "/oauth2/:server/v1/token", on: router)
    }

    func token(_ request: Request, context: TesseraRequestContext) async throws -> Response {
        let server = try await runtime.server(named: context.parameters.get("server") ?? "")
        let form = try await request.formParameters(context: context)
        let query = try request.queryParameters()
        var merged: [String: String] = [:]
        for name in Self.queryAllowed {
            switch (form[name], query[name]) {
            case let (body?, url?) where body != url:
                throw OAuthError(.invalidRequest, .requestParameterConflict,
                                 "parameter \(quoted(name)) appears in both the query string and the body with different values; send it once")
            case let (body, url):
                merged[name] = body ?? url
            }
        }
        let credentials = PresentedCredentials(
            authorizationHeader: request.headers[.authorization], clientID: merged["client_id"], clientSecret: form["client_secret"],
            clientAssertion: merged["client_assertion"], clientAssertionType: merged["client_assertion_type"])
        let tokenRequest = TokenRequest(grantType: form["grant_type"], scope: form["scope"], resources: form.all("resource"), parameters: form.singleValues)
        let (_, answer) = try await runtime.tokens.handle(tokenRequest, credentials: credentials, server: server)
        var body: [(String, JSONValue)] = [
            ("token_type", .string(answer.tokenType)), ("expires_in", .number(Double(answer.expiresIn))),
            ("access_token", .string(answer.accessToken)),
        ]
        if let scope = answer.scope { body.append(("scope", .string(scope))) }
        return JSONResponse.make(body, headers: [.cacheControl: "no-store", .pragma: "no-cache"])
    }
}

/// Small helpers for JSON responses.
enum JSONResponse {
    static func make(_ members: [(String, JSONValue)], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        bytes(JSONWriter.object(members), status: status, headers: headers)
    }

    static func bytes(_ body: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Answers 405 with `Allow` for the methods an endpoint does not take, instead of a bare 404.
enum MethodGuard {
    static let all: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch]

    static func only(_ allowed: HTTPRequest.Method..., path: RouterPath, on router: Router<TesseraRequestContext>) {
        let allowList = allowed.map(\.rawValue).joined(separator: ", ")
        for method in all where !allowed.contains(method) {
            router.on(path, method: method) { request, _ -> Response in
                throw OAuthError(.invalidRequest, .requestMethodNotAllowed,
                                 "\(request.method.rawValue) is not allowed on \(request.uri.path); use \(allowList)",
                                 detail: ["allow": allowList], status: 405)
            }
        }
    }
}
