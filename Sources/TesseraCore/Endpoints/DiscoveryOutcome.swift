/// What discovery answers: the document, whether it may be cached (a document narrowed to one client
/// may not: it says how that client is registered), and the event's facts when the request was for a
/// client (plain discovery leaves no event; it is not an OAuth request).
public struct DiscoveryOutcome: Sendable {
    public var document: [UInt8]
    public var cacheable: Bool
    public var event: EventFacts?
}
