/// Everything a request carried that could authenticate a client, as plain values.
///
/// The HTTP layer fills it from the Authorization header, the form body and (for `client_id`,
/// `client_assertion`, `client_assertion_type`) the query string; the core decides what it means.
public struct PresentedCredentials: Sendable {
    /// The raw `Authorization` header, if any.
    public var authorizationHeader: String?
    public var clientID: String?
    public var clientSecret: String?
    public var clientAssertion: String?
    public var clientAssertionType: String?

    public init(authorizationHeader: String? = nil, clientID: String? = nil, clientSecret: String? = nil, clientAssertion: String? = nil, clientAssertionType: String? = nil) {
        self.authorizationHeader = authorizationHeader
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.clientAssertion = clientAssertion
        self.clientAssertionType = clientAssertionType
    }
}
