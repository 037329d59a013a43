import HTTPTypes
import Hummingbird
import NIOCore
import TesseraCore
import TesseraStore

/// `POST {issuer}/v1/token`: parse, authenticate and grant through the core, render RFC 6749 §5.1.
struct TokenRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<TesseraRequestContext>) {
        router.post("/oauth2/:server/v1/token") { request, context in
            try await token(request, context: context)
        }
        MethodGuard.only(.post, path: "/oauth2/:server/v1/token", on: router)
    }

    func token(_ request: Request, context: TesseraRequestContext) async throws -> Response {
        let server = try await runtime.beginRequest(context, endpoint: "token")
        let form = try await request.formParameters(context: context)
        let credentials = try request.clientCredentials(form: form)
        let tokenRequest = TokenRequest(grantType: form["grant_type"], scope: form["scope"], resources: form.all("resource"))
        let (client, answer) = try await runtime.tokens.handle(tokenRequest, credentials: credentials, server: server)
        runtime.metrics.tokenIssued(server: server.name)
        context.event.note(clientID: client.id, message: "issued \(server.tokenFormat == .opaque ? "an opaque" : "a JWT") access token to client \(client.id)", detail: [
            "grant_type": tokenRequest.grantType ?? "", "scope_requested": tokenRequest.scope ?? "", "scope_granted": answer.scope ?? "",
            "resource": tokenRequest.resources.joined(separator: " "), "auth_method": client.authMethod.rawValue,
        ])
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
        fields.add(.contentType, "application/json")
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Answers 405 with `Allow` for the methods an endpoint does not take, instead of a bare 404, and
/// `OPTIONS` with 204 and `Allow` (RFC 9110 §9.3.7, §15.5.6).
enum MethodGuard {
    static let all: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete, .patch]

    static func only(_ allowed: HTTPRequest.Method..., path: RouterPath, on router: Router<TesseraRequestContext>) {
        let allowList = (allowed + [.options]).map(\.rawValue).joined(separator: ", ")
        router.on(path, method: .options) { _, _ -> Response in
            Response(status: .noContent, headers: [.allow: allowList])
        }
        for method in all where !allowed.contains(method) {
            router.on(path, method: method) { request, _ -> Response in
                throw OAuthError(.invalidRequest, .requestMethodNotAllowed,
                                 "\(request.method.rawValue) is not allowed on \(request.uri.path); use \(allowList)",
                                 detail: ["allow": allowList], status: 405)
            }
        }
    }
}
