import Foundation

/// The event log in the database: one event per request to an OAuth endpoint.
public protocol EventLog: Sendable {
    /// Writes a batch of events in one operation (the server batches them off the request path).
    func appendEvents(_ events: [Event]) async throws(StoreError)
    /// The newest events matching `query`, oldest first, with their ids.
    func events(matching query: EventQuery) async throws(StoreError) -> [Event]
    /// Deletes at most `limit` events older than `cutoff` (retention), oldest first; returns how many went
    /// (fewer than `limit`: none older is left). Callers delete in small batches so writers are never
    /// held up long.
    func purgeEvents(before cutoff: Date, limit: Int) async throws(StoreError) -> Int
    /// Deletes at most `limit` of the oldest events beyond the newest `keeping` (by id; the size bound),
    /// oldest first; returns how many went.
    func purgeEvents(keepingNewest keeping: Int, limit: Int) async throws(StoreError) -> Int
}
