/// What the event log keeps besides the age bound (`--event-retention`): at most `maxEvents` events
/// (the oldest deleted first), and of the successful requests only a sample — every failure is kept.
public struct EventLogPolicy: Sendable, Equatable {
    /// The size bound in events; nil: only the age bound. Bytes per event are measured in
    /// docs/operations.md, to turn a disk budget into this number.
    public var maxEvents: Int?
    /// The share of successful requests whose event is written, from 0 to 1 (default 1: all).
    public var successSample: Double

    public init(maxEvents: Int? = nil, successSample: Double = 1) {
        self.maxEvents = maxEvents
        self.successSample = successSample
    }

    /// Whether the event of a request with this outcome is written (failures always are).
    func keeps(success: Bool) -> Bool {
        guard success, successSample < 1 else { return true }
        return Double.random(in: 0..<1) < successSample
    }
}
