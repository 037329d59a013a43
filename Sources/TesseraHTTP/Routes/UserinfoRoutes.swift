import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraStore
import TesseraWire

/// `GET|POST {issuer}/v1/userinfo` (OIDC Core §5.3): the Bearer token from the Authorization header, or
/// from an `access_token` form field on POST (RFC 6750 §2.2); the claims as JSON.
struct UserinfoRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<TesseraRequestContext>) {
        OAuthEndpointRoute.register("userinfo", methods: [.get, .post], on: router, runtime: runtime) { request, context, server, _ in
            var token = AuthorizationHeader.bearerToken(request.headers.value(.authorization))
            if token == nil, request.method == .post, request.headers.value(.contentType) != nil {
                token = try await request.formParameters(context: context)["access_token"]
            }
            let outcome = try await runtime.userinfo.handle(bearer: token, server: server)
            context.event.note(outcome.event)
            return JSONResponse.make(outcome.members, headers: [.cacheControl: "no-store", .pragma: "no-cache"])
        }
    }
}
