import TesseraStore

/// Who is asking to introspect: a client that authenticated with its registered method, or the
/// client behind a Bearer access token carrying `tessera:introspect`.
public struct IntrospectionCaller: Sendable {
    public var client: Client
    public var viaBearer: Bool

    public init(client: Client, viaBearer: Bool) {
        self.client = client
        self.viaBearer = viaBearer
    }
}
