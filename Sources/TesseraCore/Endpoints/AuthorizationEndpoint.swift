import Foundation
import TesseraStore
import TesseraJSON

/// Why an authorization request stops: shown on an error page while the redirect URI cannot be trusted
/// (unknown client, redirect URI not registered), redirected to the client afterwards (RFC 6749 §4.1.2.1).
public enum AuthorizationRejection: Error, Sendable {
    case page(OAuthError)
    case redirect(OAuthError, url: String)

    public var error: OAuthError {
        switch self {
        case .page(let error), .redirect(let error, _): error
        }
    }
}

/// What the browser sees next in an authorization request that passed its checks.
public enum AuthorizationStep: Sendable {
    /// The sign-in page (no session, `prompt=login`, or `max_age` exceeded).
    case signIn
    /// The consent page, listing each scope with its description.
    case consent(scopes: [(name: String, description: String)])
    /// Back to the client with a code (`url`); `event` for the log.
    case redirect(url: String, event: EventFacts)
}

/// `GET|POST {issuer}/v1/authorize` without HTTP: validates the request in RFC order, decides between
/// sign-in, consent and the redirect with a code, and issues codes bound to the client, the redirect
/// URI, the PKCE challenge, the nonce and the session (single use, 60 seconds).
public struct AuthorizationEndpoint: Sendable {
    /// How long a code may be exchanged after it was issued.
    public static let codeLifetime: Int64 = 60
    /// How long a code's record is kept, so a late second use still revokes what the first one got.
    static let codeRetention: TimeInterval = 86_400
    public static let codePrefix = "tes_ac_"

    let directory: Directory
    let clock: any WallClock
    let publicURL: String

    public init(directory: Directory, clock: any WallClock, publicURL: String) {
        self.directory = directory
        self.clock = clock
        self.publicURL = publicURL
    }

    public func validate(_ request: AuthorizationRequest, server: AuthorizationServer) async throws(AuthorizationRejection) -> ValidatedAuthorization {
        let issuer = IssuerURLs(publicURL: publicURL, server: server.name).issuer
        guard let clientID = request.clientID, !clientID.isEmpty else {
            throw .page(OAuthError(.invalidRequest, .requestMissingParameter, "the authorization request has no client_id; the app must send its client id"))
        }
        let found: Client?
        do {
            found = try await storeCall("loading the client") { () throws(StoreError) in try await directory.client(id: clientID) }
        } catch {
            throw .page(error)
        }
        guard let client = found, client.server == server.name else {
            throw .page(OAuthError(.invalidRequest, .authorizeUnknownClient,
                                   "there is no client \(quoted(clientID)) on authorization server \(quoted(server.name)); check the app's client id"))
        }
        guard client.enabled else {
            throw .page(OAuthError(.invalidRequest, .authorizeClientDisabled, "client \(client.id) is disabled", clientID: client.id))
        }
        guard let redirectURI = request.redirectURI, !redirectURI.isEmpty else {
            throw .page(OAuthError(.invalidRequest, .requestMissingParameter,
                                   "the authorization request has no redirect_uri; send one of the client's registered redirect URIs", clientID: client.id))
        }
        guard RedirectURIMatch.matches(redirectURI, registered: client.redirectURIs) else {
            throw .page(OAuthError(.invalidRequest, .authorizeRedirectURIMismatch,
                                   "redirect_uri \(quoted(redirectURI)) is not registered for client \(client.id); registered: [\(client.redirectURIs.joined(separator: ", "))]",
                                   detail: ["redirect_uri": redirectURI], clientID: client.id))
        }
        let redirect = AuthorizationRedirect(redirectURI: redirectURI, state: request.state, issuer: issuer)
        func refuse(_ error: OAuthError) -> AuthorizationRejection {
            var error = error
            error.clientID = client.id
            return .redirect(error, url: redirect.error(error))
        }
        if request.hasRequestObject {
            throw refuse(OAuthError(.requestNotSupported, .authorizeRequestObject, "request and request_uri are not supported; send the parameters in the query"))
        }
        guard request.responseType == "code" else {
            throw refuse(OAuthError(.unsupportedResponseType, .authorizeResponseTypeUnsupported,
                                    "response_type \(quoted(request.responseType ?? "")) is not supported; only response_type=code (the authorization code flow)"))
        }
        if let mode = request.responseMode, mode != "query" {
            throw refuse(OAuthError(.invalidRequest, .authorizeParameterInvalid, "response_mode \(quoted(mode)) is not supported; only query"))
        }
        guard client.grantTypes.contains("authorization_code") else {
            throw refuse(OAuthError(.unauthorizedClient, .grantNotAllowed,
                                    "client \(client.id) is not registered for the authorization code flow; its grant types are [\(client.grantTypes.joined(separator: ", "))]"))
        }
        guard let challenge = request.codeChallenge, !challenge.isEmpty else {
            throw refuse(OAuthError(.invalidRequest, .authorizePKCEMissing,
                                    "code_challenge is required: send the base64url SHA-256 of a random code_verifier with code_challenge_method=S256"))
        }
        guard request.codeChallengeMethod == "S256" else {
            let method = request.codeChallengeMethod ?? "plain (the default when none is sent)"
            throw refuse(OAuthError(.invalidRequest, .authorizePKCEMethod, "code_challenge_method \(method) is not accepted; only S256"))
        }
        guard challenge.utf8.count == 43, challenge.unicodeScalars.allSatisfy(Self.isBase64URL) else {
            throw refuse(OAuthError(.invalidRequest, .authorizePKCEMalformed, "code_challenge must be 43 base64url characters (the SHA-256 of the verifier)"))
        }
        let prompts = Set((request.prompt ?? "").split(separator: " ").map(String.init))
        if let unknown = prompts.first(where: { !["none", "login", "consent", "select_account"].contains($0) }) {
            throw refuse(OAuthError(.invalidRequest, .authorizeParameterInvalid, "prompt \(quoted(unknown)) is not one of none, login, consent, select_account"))
        }
        if prompts.contains("none") && prompts.count > 1 {
            throw refuse(OAuthError(.invalidRequest, .authorizeParameterInvalid, "prompt=none cannot be combined with other prompt values"))
        }
        var maxAge: Int?
        if let text = request.maxAge {
            guard let value = Int(text), value >= 0 else {
                throw refuse(OAuthError(.invalidRequest, .authorizeParameterInvalid, "max_age \(quoted(text)) must be a non-negative number of seconds"))
            }
            maxAge = value
        }
        let scopes: [String]
        let audiences: [String]
        do {
            scopes = try await UserScopes.select(requested: request.scope, client: client, server: server, directory: directory)
            audiences = try ResourceSelection.select(requested: request.resources, server: server, clientID: client.id)
        } catch {
            throw refuse(error)
        }
        return ValidatedAuthorization(request: request, client: client, server: server, redirectURI: redirectURI, scopes: scopes, audiences: audiences,
                                      codeChallenge: challenge, prompts: prompts, maxAge: maxAge, redirect: redirect)
    }

    /// The next step for a validated request: `session` is the browser's (nil when none), `consented`
    /// whether the consent form was just accepted, `freshSignIn` whether the user just signed in.
    public func next(_ authorization: ValidatedAuthorization, session: SignedInSession?, freshSignIn: Bool = false,
                     consented: Bool = false) async throws(AuthorizationRejection) -> AuthorizationStep {
        let now = clock.now.epochSeconds
        let needsSignIn = session == nil
            || (authorization.prompts.contains("login") && !freshSignIn)
            || authorization.maxAge.map { now - (session?.authTime ?? 0) > Int64($0) } == true
        if needsSignIn {
            if authorization.prompts.contains("none") {
                throw refusal(authorization, OAuthError(.loginRequired, .authorizeLoginRequired,
                                                        session == nil ? "the user is not signed in (prompt=none)" : "the sign-in is older than max_age (prompt=none)"))
            }
            return .signIn
        }
        // Consent is not remembered: a third-party app's scopes are shown at every authorization.
        if !authorization.client.firstParty && !consented {
            if authorization.prompts.contains("none") {
                throw refusal(authorization, OAuthError(.consentRequired, .authorizeConsentRequired,
                                                        "client \(authorization.client.id) needs the user's consent, which prompt=none does not allow"))
            }
            return .consent(scopes: try await describe(authorization))
        }
        guard let session else { return .signIn }
        return try await issueCode(authorization, session: session)
    }

    /// The redirect after the user declined on the consent page.
    public func declined(_ authorization: ValidatedAuthorization) -> AuthorizationRejection {
        refusal(authorization, OAuthError(.accessDenied, .authorizeAccessDenied, "the user declined the request of client \(authorization.client.id)"))
    }

    func refusal(_ authorization: ValidatedAuthorization, _ error: OAuthError) -> AuthorizationRejection {
        var error = error
        error.clientID = authorization.client.id
        return .redirect(error, url: authorization.redirect.error(error))
    }

    private func describe(_ authorization: ValidatedAuthorization) async throws(AuthorizationRejection) -> [(name: String, description: String)] {
        let defined: [Scope]
        do {
            defined = try await storeCall("loading the scopes") { () throws(StoreError) in try await directory.stores.scopes.scopes(server: authorization.server.name) }
        } catch {
            throw refusal(authorization, error)
        }
        return authorization.scopes.map { name in
            let text = UserScopes.builtIn.first { $0.name == name }?.description ?? defined.first { $0.name == name }?.description
            return (name, text ?? name)
        }
    }

    private func issueCode(_ authorization: ValidatedAuthorization, session: SignedInSession) async throws(AuthorizationRejection) -> AuthorizationStep {
        let code = Self.codePrefix + SecureRandom.token(byteCount: 32)
        let now = Date(timeIntervalSince1970: TimeInterval(clock.now.epochSeconds))
        var bound: [String: JSONValue] = [
            "redirect_uri": .string(authorization.redirectURI), "code_challenge": .string(authorization.codeChallenge),
            "sid": .string(session.sid), "auth_time": .number(Double(session.authTime)), "acr": .string(session.acr),
            "amr": .array(session.amr.map(JSONValue.string)),
        ]
        if let nonce = authorization.request.nonce { bound["nonce"] = .string(nonce) }
        let record = TokenRecord(
            hash: Hashing.sha256(code), kind: .authorizationCode, server: authorization.server.name, clientID: authorization.client.id,
            subject: session.userID, username: session.username, scopes: authorization.scopes, audiences: authorization.audiences, claims: bound,
            jti: "AC." + SecureRandom.token(byteCount: 12), issuedAt: now, expiresAt: now.addingTimeInterval(Self.codeRetention))
        do {
            try await storeCall("recording the code") { () throws(StoreError) in try await directory.stores.tokens.saveToken(record) }
        } catch {
            throw refusal(authorization, error)
        }
        let event = EventFacts(clientID: authorization.client.id, message: "issued an authorization code to client \(authorization.client.id) for user \(session.username)",
                               detail: ["user_id": session.userID, "sid": session.sid, "scope": authorization.scopes.joined(separator: " "), "code_id": record.jti])
        return .redirect(url: authorization.redirect.code(code), event: event)
    }

    static func isBase64URL(_ scalar: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
    }
}
