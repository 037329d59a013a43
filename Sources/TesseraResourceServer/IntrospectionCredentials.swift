import Foundation

/// How this API authenticates at the introspection endpoint (its registered method).
public struct IntrospectionCredentials: Sendable {
    /// The client authentication method (RFC 6749 §2.3, RFC 7523 §2.2), as registered for this API's client.
    public enum Method: Sendable {
        /// The secret in an `Authorization: Basic` header.
        case clientSecretBasic(secret: String)
        /// The secret as `client_secret` in the form body.
        case clientSecretPost(secret: String)
        /// A fresh assertion per call, signed with this PEM private key (ES256, RS256 or EdDSA) and `kid`.
        case privateKeyJWT(privateKeyPEM: String, kid: String)
    }

    /// This API's client id at the authorization server.
    public var clientID: String
    /// How the client proves itself.
    public var method: Method

    /// The client id and method as registered at the authorization server.
    public init(clientID: String, method: Method) {
        self.clientID = clientID
        self.method = method
    }
}
