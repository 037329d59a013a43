import HTTPTypes
import Hummingbird
import NIOCore
import TesseraCore
import TesseraStore

/// `POST {issuer}/v1/token`: parse, authenticate and grant through the core, render RFC 6749 §5.1.
struct TokenRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<TesseraRequestContext>) {
        OAuthEndpointRoute.post("token", on: router, runtime: runtime) { request, context, server, address in
            try await token(request, context: context, server: server, from: address)
        }
    }

    func token(_ request: Request, context: TesseraRequestContext, server: AuthorizationServer, from address: String?) async throws -> Response {
        let form = try await request.formParameters(context: context)
        let tokenRequest = TokenRequest(grantType: form["grant_type"], scope: form["scope"], resources: form.all("resource"), code: form["code"],
                                        redirectURI: form["redirect_uri"], codeVerifier: form["code_verifier"], refreshToken: form["refresh_token"])
        let outcome = try await runtime.tokens.handle(tokenRequest, credentials: try request.clientCredentials(form: form), server: server, from: address)
        runtime.metrics.tokenIssued(server: server.name)
        context.event.note(outcome.event)
        return JSONResponse.make(outcome.response.members, headers: [.cacheControl: "no-store", .pragma: "no-cache"])
    }
}
