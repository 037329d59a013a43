import Foundation
import TesseraJWT
import TesseraStore
import TesseraJSON
import TesseraWire

/// `GET|POST {issuer}/v1/logout` without HTTP: OpenID Connect RP-Initiated Logout 1.0. Checks
/// `id_token_hint` (an ID token this server signed; expired ones are accepted, §2) and
/// `post_logout_redirect_uri` (exactly one of the client's registered ones), then ends the browser's
/// session. Without a valid redirect the user is shown a "signed out" page.
public struct LogoutEndpoint: Sendable {
    let directory: Directory
    let signIn: SignIn
    let publicURL: String

    public init(directory: Directory, signIn: SignIn, publicURL: String) {
        self.directory = directory
        self.signIn = signIn
        self.publicURL = publicURL
    }

    public struct Request: Sendable {
        public var idTokenHint: String?
        public var clientID: String?
        public var postLogoutRedirectURI: String?
        public var state: String?
        public var sessionCookie: String?

        public init(idTokenHint: String?, clientID: String?, postLogoutRedirectURI: String?, state: String?, sessionCookie: String?) {
            self.idTokenHint = idTokenHint
            self.clientID = clientID
            self.postLogoutRedirectURI = postLogoutRedirectURI
            self.state = state
            self.sessionCookie = sessionCookie
        }
    }

    public struct Outcome: Sendable {
        /// Where to send the browser, or nil to show the signed-out page.
        public var redirect: String?
        public var event: EventFacts
    }

    public func handle(_ request: Request, server: AuthorizationServer) async throws(OAuthError) -> Outcome {
        var clientID = request.clientID
        var hintedUser: String?
        if let hint = request.idTokenHint, !hint.isEmpty {
            let claims = try await verifiedHint(hint, server: server)
            let audience = claims["aud"]?.strings.first
            if let named = clientID, named != audience {
                throw OAuthError(.invalidRequest, .logoutHintInvalid, "client_id \(quoted(named)) is not the audience of id_token_hint", clientID: named)
            }
            clientID = audience
            hintedUser = claims["sub"]?.string
        }
        var redirect: String?
        if let target = request.postLogoutRedirectURI, !target.isEmpty {
            var found: Client?
            if let id = clientID {
                found = try await storeCall("loading the client") { () throws(StoreError) in try await directory.client(id: id) }
            }
            guard let client = found, client.server == server.name, client.postLogoutRedirectURIs.contains(target) else {
                throw OAuthError(.invalidRequest, .logoutRedirectMismatch,
                                 "post_logout_redirect_uri \(quoted(target)) is not registered for \(clientID.map { "client \($0)" } ?? "any client named by id_token_hint or client_id")",
                                 detail: ["post_logout_redirect_uri": target], clientID: clientID)
            }
            var url = target
            if let state = request.state {
                url += (target.contains("?") ? "&" : "?") + "state=" + FormURLEncoding.encodeComponent(state)
            }
            redirect = url
        }
        let session = try await signIn.session(cookie: request.sessionCookie)
        if let cookie = request.sessionCookie, session != nil { try await signIn.end(cookie: cookie) }
        var detail: [String: String] = ["session_ended": session == nil ? "false" : "true"]
        if let session { detail["sid"] = session.sid; detail["user_id"] = session.userID }
        if let hintedUser { detail["hinted_user"] = hintedUser }
        return Outcome(redirect: redirect, event: EventFacts(clientID: clientID, message: session.map { "signed out user \($0.username)" } ?? "logout without a session",
                                                             detail: detail))
    }

    /// The claims of an ID token this server signed (signature and issuer checked, expiry not).
    private func verifiedHint(_ hint: String, server: AuthorizationServer) async throws(OAuthError) -> [String: JSONValue] {
        let invalid = OAuthError(.invalidRequest, .logoutHintInvalid, "id_token_hint is not an ID token of authorization server \(quoted(server.name))")
        guard let parsed = try? ParsedJWT<AccessTokenPayload>(parsing: hint) else { throw invalid }
        let ring: ServerKeyRing = try await storeCall("loading the signing keys") { () throws(StoreError) in try await directory.keyRing(server: server.name) }
        guard let key = parsed.header.kid.flatMap({ ring.verifiers[$0] }), parsed.isSigned(by: key),
              parsed.claims.string("iss") == IssuerURLs(publicURL: publicURL, server: server.name).issuer else { throw invalid }
        return parsed.claims.claims
    }
}
