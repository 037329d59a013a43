import Foundation

/// Which events to return; every field narrows the result, nil fields match everything.
public struct EventQuery: Sendable, Equatable {
    public var server: String?
    public var clientID: String?
    public var requestID: String?
    public var outcome: Event.Outcome?
    public var reason: String?
    public var since: Date?
    /// Only events with an id above this (for following new events).
    public var afterID: Int64?
    /// Only events with an id below this (the management API's cursor, paging back in time).
    public var beforeID: Int64?
    /// The newest `limit` events, returned oldest first.
    public var limit: Int

    public init(server: String? = nil, clientID: String? = nil, requestID: String? = nil, outcome: Event.Outcome? = nil,
                reason: String? = nil, since: Date? = nil, afterID: Int64? = nil, beforeID: Int64? = nil, limit: Int = 100) {
        self.server = server
        self.clientID = clientID
        self.requestID = requestID
        self.outcome = outcome
        self.reason = reason
        self.since = since
        self.afterID = afterID
        self.beforeID = beforeID
        self.limit = limit
    }
}
