import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TesseraCore
import TesseraStore

/// `GET|POST {issuer}/v1/authorize`: reads the request (query for GET, form for POST), the session and
/// CSRF cookies and the sign-in/consent forms; the core validates and decides; this renders the page or
/// the redirect. Every answer leaves one event, rejections with their reason.
struct AuthorizeRoutes {
    static let sessionCookie = "tessera_session"
    static let csrfCookie = "tessera_csrf"

    let runtime: TesseraRuntime

    func register(on router: Router<TesseraRequestContext>) {
        OAuthEndpointRoute.register("authorize", methods: [.get, .post], on: router, runtime: runtime) { request, context, server, address in
            try await authorize(request, context: context, server: server, from: address)
        }
        router.get("/assets/tessera.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=86400"],
                     body: .init(byteBuffer: ByteBuffer(string: HTML.stylesheet)))
        }
    }

    var secureCookies: Bool { runtime.settings.publicURL.lowercased().hasPrefix("https://") }
    var product: String { runtime.settings.productName }

    func authorize(_ request: Request, context: TesseraRequestContext, server: AuthorizationServer, from address: String?) async throws -> Response {
        let parameters = request.method == .post ? try await request.formParameters(context: context) : try request.queryParameters()
        let authorizationRequest = AuthorizationRequest(
            responseType: parameters["response_type"], clientID: parameters["client_id"], redirectURI: parameters["redirect_uri"], scope: parameters["scope"],
            state: parameters["state"], codeChallenge: parameters["code_challenge"], codeChallengeMethod: parameters["code_challenge_method"],
            nonce: parameters["nonce"], prompt: parameters["prompt"], maxAge: parameters["max_age"], loginHint: parameters["login_hint"],
            responseMode: parameters["response_mode"], resources: parameters.all("resource"),
            hasRequestObject: parameters["request"] != nil || parameters["request_uri"] != nil)
        let cookies = Cookies(request)
        var setCookies: [String] = []
        let csrf: String
        if let known = cookies[Self.csrfCookie], known.count == 43 {
            csrf = known
        } else {
            csrf = SecureRandom.token(byteCount: 32)
            setCookies.append(Cookies.setting(Self.csrfCookie, csrf, path: "/oauth2/", maxAge: 86_400, secure: secureCookies))
        }
        do {
            let authorization = try await runtime.authorization.validate(authorizationRequest, server: server)
            context.event.note(clientID: authorization.client.id, message: "authorization request of client \(authorization.client.id)")
            var session = try await runtime.signIn.session(cookie: cookies[Self.sessionCookie])
            var freshSignIn = false
            var consented = false
            let page = PageContext(authorization: authorization, action: request.uri.path, csrf: csrf)
            if let action = parameters["tessera_action"] {
                guard request.method == .post, let sent = parameters["csrf_token"], cookies[Self.csrfCookie] == sent else {
                    let error = OAuthError(.accessDenied, .signInCSRF, "the form expired or came from another page; please try again",
                                           clientID: authorization.client.id)
                    context.event.reject(error)
                    return HTML.response(signInPage(page, username: parameters["username"], error: error.description), status: .forbidden, cookies: setCookies)
                }
                if action == "sign_in" {
                    switch await signIn(username: parameters["username"] ?? "", password: parameters["password"] ?? "", from: address) {
                    case .success(let success):
                        // A new sign-in replaces the browser's session: the old one ends (no session fixation).
                        if let previous = cookies[Self.sessionCookie] { try? await runtime.signIn.end(cookie: previous) }
                        session = success.session
                        freshSignIn = true
                        setCookies.append(Cookies.setting(Self.sessionCookie, success.cookie, path: "/", maxAge: Int(runtime.signIn.sessionLifetime),
                                                          secure: secureCookies))
                        context.event.note(clientID: authorization.client.id, message: "user \(success.user.username) signed in",
                                           detail: ["user_id": success.user.id, "sid": success.session.sid])
                    case .failure(var error):
                        error.clientID = authorization.client.id
                        context.event.reject(error)
                        return HTML.response(signInPage(page, username: parameters["username"], error: error.description),
                                             status: HTTPResponse.Status(code: error.httpStatus), cookies: setCookies)
                    }
                } else if action == "consent", session != nil {
                    if parameters["decision"] != "allow" { throw runtime.authorization.declined(authorization) }
                    consented = true
                }
            }
            switch try await runtime.authorization.next(authorization, session: session, freshSignIn: freshSignIn, consented: consented) {
            case .signIn:
                context.event.note(clientID: authorization.client.id, message: "showed the sign-in page for client \(authorization.client.id)")
                return HTML.response(signInPage(page, username: authorizationRequest.loginHint, error: nil), cookies: setCookies)
            case .consent(let scopes):
                context.event.note(clientID: authorization.client.id, message: "asked user \(session?.username ?? "") to consent to client \(authorization.client.id)")
                // Signed in by now: the consent form must not ask for a sign-in again (prompt=login is satisfied).
                var carried = authorization.request
                carried.prompt = carried.prompt.map { $0.split(separator: " ").filter { $0 != "login" }.joined(separator: " ") }.flatMap { $0.isEmpty ? nil : $0 }
                let html = SignInPages.consent(product: product, action: page.action, clientName: authorization.client.name, username: session?.username ?? "",
                                               scopes: scopes, carried: carried.carried, csrf: csrf)
                return HTML.response(html, cookies: setCookies)
            case .redirect(let url, let event):
                context.event.note(event)
                return redirect(to: url, cookies: setCookies)
            }
        } catch let rejection as AuthorizationRejection {
            context.event.reject(rejection.error)
            switch rejection {
            case .page(let error):
                return HTML.response(SignInPages.error(product: product, error: error, requestID: context.requestID),
                                     status: HTTPResponse.Status(code: error.httpStatus >= 500 ? error.httpStatus : 400), cookies: setCookies)
            case .redirect(_, let url):
                return redirect(to: url, cookies: setCookies)
            }
        }
    }

    func signIn(username: String, password: String, from address: String?) async -> Result<SignIn.Success, OAuthError> {
        do {
            return .success(try await runtime.signIn.signIn(username: username, password: password, from: address))
        } catch {
            return .failure(error)
        }
    }

    struct PageContext {
        var authorization: ValidatedAuthorization
        var action: String
        var csrf: String
    }

    func signInPage(_ page: PageContext, username: String?, error: String?) -> String {
        SignInPages.signIn(product: product, action: page.action, clientName: page.authorization.client.name,
                           carried: page.authorization.request.carried, csrf: page.csrf, username: username, error: error)
    }

    func redirect(to url: String, cookies: [String]) -> Response {
        var headers: HTTPFields = [.location: url, .cacheControl: "no-store", .pragma: "no-cache"]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .found, headers: headers)
    }
}
