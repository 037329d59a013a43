import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraStore

/// `GET|POST {issuer}/v1/logout` (OpenID Connect RP-Initiated Logout): ends the browser's session and
/// sends it to the registered `post_logout_redirect_uri`, or shows the signed-out page. A rejected
/// redirect is shown on an error page, never followed.
struct LogoutRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<TesseraRequestContext>) {
        OAuthEndpointRoute.register("logout", methods: [.get, .post], on: router, runtime: runtime) { request, context, server, _ in
            let parameters = request.method == .post ? try await request.formParameters(context: context) : try request.queryParameters()
            let cookies = Cookies(request)
            let secure = runtime.settings.publicURL.lowercased().hasPrefix("https://")
            let ended = [Cookies.setting(AuthorizeRoutes.sessionCookie, "", path: "/", maxAge: 0, secure: secure)]
            do {
                let outcome = try await runtime.logout.handle(LogoutEndpoint.Request(
                    idTokenHint: parameters["id_token_hint"], clientID: parameters["client_id"], postLogoutRedirectURI: parameters["post_logout_redirect_uri"],
                    state: parameters["state"], sessionCookie: cookies[AuthorizeRoutes.sessionCookie]), server: server)
                context.event.note(outcome.event)
                guard let target = outcome.redirect else {
                    return HTML.response(SignInPages.signedOut(product: runtime.settings.productName), cookies: ended)
                }
                var headers: HTTPFields = [.location: target, .cacheControl: "no-store"]
                for cookie in ended { headers.append(HTTPField(name: .setCookie, value: cookie)) }
                return Response(status: .found, headers: headers)
            } catch let error as OAuthError {
                context.event.reject(error)
                return HTML.response(SignInPages.error(product: runtime.settings.productName, error: error, requestID: context.requestID),
                                     status: HTTPResponse.Status(code: error.httpStatus), cookies: [])
            }
        }
    }
}
