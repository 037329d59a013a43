/// What the JWKS endpoint answers: the server's published keys and the event's facts.
public struct KeysOutcome: Sendable {
    public var jwks: [UInt8]
    public var event: EventFacts
}
