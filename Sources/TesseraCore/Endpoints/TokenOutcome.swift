import TesseraStore

/// What the token endpoint answered: the client, the RFC 6749 §5.1 response, and the event's facts.
public struct TokenOutcome: Sendable {
    public var client: Client
    public var response: TokenResponse
    public var event: EventFacts
}
