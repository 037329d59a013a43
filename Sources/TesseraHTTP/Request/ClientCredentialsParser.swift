import Hummingbird
import TesseraCore
import TesseraWire

/// Turns what a request carried into `ClientCredentials`: the Authorization header (Basic, or Bearer
/// where the endpoint takes it), `client_secret` from the body, and `client_id`, `client_assertion`
/// and `client_assertion_type` from the body or the query string (clients are seen sending them there).
/// A request that authenticates in more than one way is refused here (`invalid_request`).
public enum ClientCredentialsParser {
    public static func parse(authorizationHeader: String?, clientID: String?, clientSecret: String?, clientAssertion: String?,
                             clientAssertionType: String?, acceptsBearer: Bool) throws(OAuthError) -> ClientCredentials {
        if acceptsBearer, let token = AuthorizationHeader.bearerToken(authorizationHeader) {
            guard clientSecret == nil, clientAssertion == nil else {
                throw OAuthError(.invalidRequest, .clientAuthMultipleMethods, "the request carries a Bearer token and client credentials; use one of them")
            }
            return .bearer(token: token)
        }
        let basic = try authorizationHeader.flatMap { header throws(OAuthError) in try BasicCredentials.parse(authorizationHeader: header) }
        let usesAssertion = clientAssertion != nil || clientAssertionType != nil
        let used = [basic != nil ? "an Authorization: Basic header" : nil, clientSecret != nil ? "client_secret in the body" : nil,
                    usesAssertion ? "client_assertion" : nil].compactMap { $0 }
        guard used.count <= 1 else {
            throw OAuthError(.invalidRequest, .clientAuthMultipleMethods,
                             "the request authenticates the client in more than one way (\(used.joined(separator: " and "))); use only the client's registered method",
                             clientID: basic?.clientID ?? clientID)
        }
        if let basic { return .basic(clientID: basic.clientID, secret: basic.secret, clientIDParameter: clientID) }
        if let clientSecret { return .post(clientID: clientID, secret: clientSecret) }
        if usesAssertion { return .assertion(clientAssertion, type: clientAssertionType, clientID: clientID) }
        return .none(clientID: clientID)
    }
}

extension Request {
    /// The client credentials of this request (see `ClientCredentialsParser`). A parameter in both the
    /// query string and the body is refused, whether the two values agree or not (RFC 6749 §3.2 and
    /// §5.2: a repeated parameter is `invalid_request`).
    func clientCredentials(form: FormParameters, acceptsBearer: Bool = false) throws(OAuthError) -> ClientCredentials {
        let query = try queryParameters()
        func merged(_ name: String) throws(OAuthError) -> String? {
            switch (form[name], query[name]) {
            case let (body?, url?):
                let values = body == url ? "the same value" : "different values"
                throw OAuthError(.invalidRequest, .requestParameterConflict,
                                 "parameter \(quoted(name)) appears in both the query string and the body (with \(values)); send it once, in the body")
            case let (body, url):
                return body ?? url
            }
        }
        return try ClientCredentialsParser.parse(
            authorizationHeader: headers.value(.authorization), clientID: try merged("client_id"), clientSecret: form["client_secret"],
            clientAssertion: try merged("client_assertion"), clientAssertionType: try merged("client_assertion_type"), acceptsBearer: acceptsBearer)
    }
}
