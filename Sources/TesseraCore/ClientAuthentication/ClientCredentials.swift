/// The client authentication a request carried, as the HTTP layer parsed it: exactly one of the
/// methods of RFC 6749 §2.3 and RFC 7523 (a request that used more than one was refused while
/// parsing), or a Bearer access token where an endpoint takes one, or nothing.
///
/// The core decides what it means: which client, whether the method is the one it is registered
/// with, whether the secret or the assertion is good.
public enum ClientCredentials: Sendable, Equatable {
    /// `Authorization: Basic` (client_secret_basic), decoded; `clientIDParameter` is a `client_id` sent
    /// in the form as well.
    case basic(clientID: String, secret: String, clientIDParameter: String?)
    /// `client_secret` in the body (client_secret_post), with the `client_id` beside it if any.
    case post(clientID: String?, secret: String)
    /// `client_assertion` and/or `client_assertion_type` (client_secret_jwt, private_key_jwt), with the
    /// `client_id` parameter if any; either part may be missing, which the core explains.
    case assertion(String?, type: String?, clientID: String?)
    /// `Authorization: Bearer` (introspection callers holding `tessera:introspect`).
    case bearer(token: String)
    /// No credentials: perhaps a `client_id` alone (a public client, or a client that forgot them).
    case none(clientID: String?)

    /// The client id the request names, wherever it names one (the Basic header first), for events.
    public var claimedClientID: String? {
        switch self {
        case .basic(let clientID, _, _): clientID
        case .post(let clientID, _), .assertion(_, _, let clientID), .none(let clientID): clientID
        case .bearer: nil
        }
    }

    /// What the request carried, in the words of an error description ("" for nothing).
    var carried: String {
        switch self {
        case .basic: "client_secret_basic (an Authorization: Basic header)"
        case .post: "client_secret_post (client_secret in the body)"
        case .assertion: "a client_assertion"
        case .bearer: "a Bearer token"
        case .none: ""
        }
    }
}
