import TesseraStore

/// The parameters of an authorization request (RFC 6749 §4.1.1, RFC 7636, OpenID Connect Core §3.1.2.1),
/// as plain values read by the HTTP layer from the query or the form.
public struct AuthorizationRequest: Sendable, Equatable {
    public var responseType: String?
    public var clientID: String?
    public var redirectURI: String?
    public var scope: String?
    public var state: String?
    public var codeChallenge: String?
    public var codeChallengeMethod: String?
    public var nonce: String?
    public var prompt: String?
    public var maxAge: String?
    public var loginHint: String?
    public var responseMode: String?
    public var resources: [String]
    /// Whether `request` or `request_uri` was sent (request objects are not supported).
    public var hasRequestObject: Bool

    public init(responseType: String? = nil, clientID: String? = nil, redirectURI: String? = nil, scope: String? = nil, state: String? = nil,
                codeChallenge: String? = nil, codeChallengeMethod: String? = nil, nonce: String? = nil, prompt: String? = nil, maxAge: String? = nil,
                loginHint: String? = nil, responseMode: String? = nil, resources: [String] = [], hasRequestObject: Bool = false) {
        self.responseType = responseType
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.scope = scope
        self.state = state
        self.codeChallenge = codeChallenge
        self.codeChallengeMethod = codeChallengeMethod
        self.nonce = nonce
        self.prompt = prompt
        self.maxAge = maxAge
        self.loginHint = loginHint
        self.responseMode = responseMode
        self.resources = resources
        self.hasRequestObject = hasRequestObject
    }

    /// The parameters to carry through the sign-in and consent forms (hidden fields), in a fixed order.
    public var carried: [(String, String)] {
        var pairs: [(String, String?)] = [
            ("response_type", responseType), ("client_id", clientID), ("redirect_uri", redirectURI), ("scope", scope), ("state", state),
            ("code_challenge", codeChallenge), ("code_challenge_method", codeChallengeMethod), ("nonce", nonce), ("prompt", prompt),
            ("max_age", maxAge), ("login_hint", loginHint), ("response_mode", responseMode),
        ]
        pairs += resources.map { ("resource", $0) }
        return pairs.compactMap { name, value in value.map { (name, $0) } }
    }
}

/// An authorization request that passed every check: what the code will be bound to.
public struct ValidatedAuthorization: Sendable {
    public var request: AuthorizationRequest
    public var client: Client
    public var server: AuthorizationServer
    public var redirectURI: String
    public var scopes: [String]
    public var audiences: [String]
    public var codeChallenge: String
    public var prompts: Set<String>
    public var maxAge: Int?
    /// Where errors from here on go (RFC 6749 §4.1.2.1), with `state` and `iss`.
    public var redirect: AuthorizationRedirect
}
