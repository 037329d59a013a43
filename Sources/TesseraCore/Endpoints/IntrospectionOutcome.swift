import TesseraStore
import TesseraJSON

/// What the introspection endpoint answered: the body and its media type, the event's facts, and the
/// inactive reason (for the log line) when the answer was `{"active":false}`.
public struct IntrospectionOutcome: Sendable {
    public var body: [UInt8]
    public var contentType: String
    public var event: EventFacts
    public var inactive: (reason: ReasonCode, detail: [String: String])?
}
