import HTTPTypes
import Hummingbird
import NIOCore
import TesseraCore
import TesseraStore

/// `POST {issuer}/v1/token`: parse, authenticate and grant through the core, render RFC 6749 §5.1.
struct TokenRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<TesseraRequestContext>) {
        OAuthEndpointRoute.post("token", on: router, runtime: runtime) { request, context, server in
            try await token(request, context: context, server: server)
        }
    }

    func token(_ request: Request, context: TesseraRequestContext, server: AuthorizationServer) async throws -> Response {
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
