/// What the JWKS endpoint answers: the server's published keys and the event's facts.
public struct KeysOutcome: Sendable {
    public var jwks: [UInt8]
    /// The JWKS's strong `ETag`.
    public var etag: String
    public var event: EventFacts
}
