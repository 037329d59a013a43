import Crypto
import Foundation
import HTTPTypes
import TesseraCore
import TesseraStore

/// Plays the browser and the app of the authorization code flow over the test client: keeps cookies,
/// reads the hidden fields of Tessera's forms, and makes PKCE pairs.
final class SignInDriver: @unchecked Sendable {
    let http: HTTPDriver
    let deployment: TestDeployment
    private(set) var cookies: [String: String] = [:]
    static let redirectURI = "https://app.example.com/callback"

    init(_ http: HTTPDriver, _ deployment: TestDeployment) {
        self.http = http
        self.deployment = deployment
    }

    struct PKCE {
        let verifier: String
        var challenge: String { Base64URL.encode(Array(SHA256.hash(data: Array(verifier.utf8)))) }
        static func make() -> PKCE { PKCE(verifier: SecureRandom.token(byteCount: 32)) }
    }

    var authorizeURL: String { deployment.defaultURLs.authorizationEndpoint }

    /// Registers a user with `password` (fast scrypt) and returns it.
    func user(_ name: String, password: String = "correct horse battery", email: String? = nil, groups: [String] = []) async throws -> User {
        let user = try await deployment.admin.createUser(username: name, password: password, email: email ?? "\(name)@example.com", displayName: name.capitalized,
                                                         hasher: deployment.runtime.passwords)
        for group in groups {
            try? await deployment.stores.users.createGroup(name: group)
            try await deployment.stores.users.addMember(group: group, userID: user.id)
        }
        return user
    }

    /// A client of the code flow: confidential (client_secret_basic) or public.
    func client(public isPublic: Bool = false, firstParty: Bool = false, redirectURIs: [String] = [SignInDriver.redirectURI],
                grantTypes: [String]? = nil, postLogout: [String] = []) async throws -> TestDeployment.RegisteredClient {
        let created = try await deployment.admin.createClient(
            server: "default", name: isPublic ? "Mobile app" : "Web app", method: isPublic ? .none : .clientSecretBasic, scopes: ["orders.read"],
            flow: Administration.ClientFlowSettings(grantTypes: grantTypes, redirectURIs: redirectURIs, postLogoutRedirectURIs: postLogout, firstParty: firstParty))
        return TestDeployment.RegisteredClient(id: created.client.id, secret: created.secret, key: nil, method: created.client.authMethod)
    }

    func authorizeParameters(client: String, pkce: PKCE?, scope: String = "openid profile email offline_access orders.read", state: String = "s-123",
                             redirectURI: String = SignInDriver.redirectURI, extra: [(String, String)] = []) -> [(String, String)] {
        var parameters = [("response_type", "code"), ("client_id", client), ("redirect_uri", redirectURI), ("scope", scope), ("state", state), ("nonce", "n-456")]
        if let pkce { parameters += [("code_challenge", pkce.challenge), ("code_challenge_method", "S256")] }
        return parameters + extra
    }

    /// GET the authorization endpoint with `parameters`.
    func authorize(_ parameters: [(String, String)]) async throws -> HTTPDriver.Answer {
        try await send(path(authorizeURL) + "?" + HTTPDriver.encode(parameters), method: .get, form: nil)
    }

    /// Submits the page's form with `fields` added (the hidden fields, CSRF token included, come from `page`).
    func submit(_ page: HTTPDriver.Answer, _ fields: [(String, String)], dropping: Set<String> = []) async throws -> HTTPDriver.Answer {
        let form = Self.hiddenFields(page.text).filter { !dropping.contains($0.0) } + fields
        return try await send(try Self.formAction(page.text), method: .post, form: form)
    }

    /// Signs in on `page` (a sign-in page) and, when the consent page follows, allows.
    func signInAndConsent(_ page: HTTPDriver.Answer, username: String, password: String = "correct horse battery") async throws -> HTTPDriver.Answer {
        let afterSignIn = try await submit(page, [("username", username), ("password", password)])
        guard afterSignIn.status == 200, afterSignIn.text.contains("name=\"decision\"") else { return afterSignIn }
        return try await submit(afterSignIn, [("decision", "allow")])
    }

    /// The query parameters of a redirect answer's `Location`.
    static func redirectParameters(_ answer: HTTPDriver.Answer) -> [String: String] {
        guard let location = answer.header("Location"), let components = URLComponents(string: location) else { return [:] }
        var result: [String: String] = [:]
        for item in components.queryItems ?? [] { result[item.name] = item.value ?? "" }
        return result
    }

    /// Runs the whole browser part and returns the code.
    func code(client: TestDeployment.RegisteredClient, pkce: PKCE, username: String, scope: String = "openid profile email offline_access orders.read") async throws -> String {
        let page = try await authorize(authorizeParameters(client: client.id, pkce: pkce, scope: scope))
        // With a session and nothing to consent to, the authorization answers with the code at once.
        let done = page.status == 302 ? page : try await signInAndConsent(page, username: username)
        guard let code = Self.redirectParameters(done)["code"] else { throw DriverFailure("no code in \(done.status) \(done.header("Location") ?? done.text.prefix(300).description)") }
        return code
    }

    func exchange(_ code: String, client: TestDeployment.RegisteredClient, verifier: String, redirectURI: String = SignInDriver.redirectURI) async throws -> HTTPDriver.Answer {
        try await token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", verifier)], client: client)
    }

    func refresh(_ refreshToken: String, client: TestDeployment.RegisteredClient, scope: String? = nil) async throws -> HTTPDriver.Answer {
        try await token([("grant_type", "refresh_token"), ("refresh_token", refreshToken)] + (scope.map { [("scope", $0)] } ?? []), client: client)
    }

    /// POSTs to the token endpoint, authenticating as `client` (Basic, or client_id alone for a public client).
    func token(_ form: [(String, String)], client: TestDeployment.RegisteredClient) async throws -> HTTPDriver.Answer {
        let uri = path(deployment.defaultURLs.tokenEndpoint)
        if let secret = client.secret { return try await http.post(uri, form: form, headers: HTTPDriver.basic(client.id, secret)) }
        return try await http.post(uri, form: form + [("client_id", client.id)])
    }

    func introspect(_ token: String, as client: TestDeployment.RegisteredClient) async throws -> [String: Any] {
        try await http.post(path(deployment.defaultURLs.introspectionEndpoint), form: [("token", token)], headers: HTTPDriver.basic(client.id, client.secret ?? "")).json
    }

    func send(_ uri: String, method: HTTPRequest.Method, form: [(String, String)]?) async throws -> HTTPDriver.Answer {
        var headers: HTTPFields = [:]
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if form != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let answer = try await http.send(uri, method: method, headers: headers, body: form.map(HTTPDriver.encode))
        for field in answer.headers[values: .setCookie] {
            let pair = field.split(separator: ";")[0]
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals])
            let value = String(pair[pair.index(after: equals)...])
            if value.isEmpty || field.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        return answer
    }

    func forgetCookie(_ name: String) { cookies[name] = nil }

    static func hiddenFields(_ html: String) -> [(String, String)] {
        let pattern = try! NSRegularExpression(pattern: #"<input type="hidden" name="([^"]*)" value="([^"]*)">"#)
        return pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)).map { match in
            (unescape(String(html[Range(match.range(at: 1), in: html)!])), unescape(String(html[Range(match.range(at: 2), in: html)!])))
        }
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Where the page's form posts to.
    static func formAction(_ html: String) throws -> String {
        guard let start = html.range(of: "<form method=\"post\" action=\""), let end = html[start.upperBound...].firstIndex(of: "\"") else {
            throw DriverFailure("the page has no form: \(html.prefix(300))")
        }
        return unescape(String(html[start.upperBound..<end]))
    }

    /// The text of the page's alert (the error next to the form), if any.
    static func alert(_ html: String) -> String? {
        guard let start = html.range(of: "role=\"alert\">"), let end = html[start.upperBound...].range(of: "</p>") else { return nil }
        return unescape(String(html[start.upperBound..<end.lowerBound]))
    }
}

struct DriverFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

