import TesseraStore

/// Who a request authenticated as, and with which of the client's secrets (for the event, so an
/// operator sees when the last service moved off an old secret during a rotation).
public struct AuthenticatedClient: Sendable {
    public var client: Client
    /// The id of the secret that authenticated (`client_secret_basic`, `_post`, `_jwt`); nil for keys.
    public var secretID: String?

    public init(client: Client, secretID: String? = nil) {
        self.client = client
        self.secretID = secretID
    }
}
