import Foundation

/// The event log in the database: one event per request to an OAuth endpoint.
public protocol EventLog: Sendable {
    /// Writes a batch of events in one operation (the server batches them off the request path).
    func appendEvents(_ events: [Event]) async throws(StoreError)
    /// The newest events matching `query`, oldest first, with their ids.
    func events(matching query: EventQuery) async throws(StoreError) -> [Event]
    /// Deletes events older than `cutoff` (retention); returns how many went.
    func purgeEvents(before cutoff: Date) async throws(StoreError) -> Int
}
