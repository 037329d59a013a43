import Foundation
import SQLiteNIO
import TesseraStore

extension SQLiteStore: EventLog {
    /// Event ids per block of the client index (2^10 = 1,024): small enough that a commit's entries share a
    /// few pages, large enough that a lookup over 100 million events is under 100,000 seeks.
    static let clientBlockBits = 10
    static let eventColumns = "time, request_id, server, endpoint, client_id, outcome, reason, message, detail, remote_address, user_agent"

    public func appendEvents(_ events: [Event]) async throws(StoreError) {
        // One multi-row INSERT per chunk of up to 1,000 (11,000 binds; this SQLite allows 250,000): a chunk is
        // one statement and one commit, so a flush of the queue (up to 1,000 events) writes the WAL once.
        var start = events.startIndex
        while start < events.endIndex {
            let chunk = events[start..<min(start + 1_000, events.endIndex)]
            let placeholders = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", ")
            var binds: [SQLiteData] = []
            binds.reserveCapacity(chunk.count * 11)
            for event in chunk {
                binds += [.date(event.time), .text(event.requestID), .text(event.server), .text(event.endpoint), .text(event.clientID),
                          .text(event.outcome.rawValue), .text(event.reason), .text(event.message),
                          .text(ColumnText.map(event.detail)),
                          .text(event.remoteAddress), .text(event.userAgent)]
            }
            try await run("INSERT INTO events (\(Self.eventColumns)) VALUES \(placeholders)", binds)
            start = chunk.endIndex
        }
    }

    public func events(matching query: EventQuery) async throws(StoreError) -> [Event] {
        var conditions: [String] = []
        var binds: [SQLiteData] = []
        func add(_ condition: String, _ value: SQLiteData?) {
            guard let value else { return }
            conditions.append(condition)
            binds.append(value)
        }
        add("server = ?", query.server.map { .text($0) })
        // A client's events are found through `events_by_client_recent ((id >> 10), client_id, id)`: one
        // seek per block of 1,024 event ids, newest block first (the IN list is walked in descending
        // order, so the LIMIT stops the walk). Keyed by block first, the entries of a commit land in the
        // newest block's few pages whatever the number of clients; keyed by client they landed on one
        // page each (docs/performance-scale.md). A request id has its own index.
        let byClientBlocks = query.clientID != nil && query.requestID == nil
        if let clientID = query.clientID, byClientBlocks {
            let newest = query.beforeID.map { "\($0 - 1)" } ?? "(SELECT MAX(id) FROM events)"
            let oldest = query.afterID.map { $0 + 1 } ?? 0
            conditions.append("""
                (id >> \(Self.clientBlockBits)) IN (WITH RECURSIVE block(n) AS (SELECT \(newest) >> \(Self.clientBlockBits) \
                UNION ALL SELECT n - 1 FROM block WHERE n > \(oldest >> Self.clientBlockBits)) SELECT n FROM block)
                """)
            add("client_id = ?", .text(clientID))
        } else {
            add("client_id = ?", query.clientID.map { .text($0) })
        }
        add("request_id = ?", query.requestID.map { .text($0) })
        add("outcome = ?", query.outcome.map { .text($0.rawValue) })
        add("reason = ?", query.reason.map { .text($0) })
        add("time >= ?", query.since.map { .date($0) })
        add("id > ?", query.afterID.map { .integer(Int($0)) })
        add("id < ?", query.beforeID.map { .integer(Int($0)) })
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        binds.append(.integer(max(1, min(query.limit, 100_000))))
        let order = byClientBlocks ? "(id >> \(Self.clientBlockBits)) DESC, id DESC" : "id DESC"
        let rows = try await run("SELECT id, \(Self.eventColumns) FROM events \(filter) ORDER BY \(order) LIMIT ?", binds)
        return rows.reversed().map { row in
            Event(
                id: Int64(row.int("id")), time: row.date("time"), requestID: row.text("request_id") ?? "", server: row.text("server"),
                endpoint: row.text("endpoint") ?? "", clientID: row.text("client_id"),
                outcome: Event.Outcome(rawValue: row.text("outcome") ?? "") ?? .failure, reason: row.text("reason"),
                message: row.text("message") ?? "", detail: ColumnText.map(from: row.text("detail")),
                remoteAddress: row.text("remote_address"), userAgent: row.text("user_agent"))
        }
    }

    /// Oldest by time first, through `events_by_time`: ordered by id, SQLite walked the table from its first
    /// row testing each time, so a pass with nothing to purge read every event (4.9 million: 440 ms, every minute).
    public func purgeEvents(before cutoff: Date, limit: Int) async throws(StoreError) -> Int {
        try await run(Self.eventRetentionPurge, [.date(cutoff), .integer(limit)]).count
    }

    static let eventRetentionPurge = "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE time < ? ORDER BY time LIMIT ?) RETURNING 1 AS gone"

    public func purgeEvents(keepingNewest keeping: Int, limit: Int) async throws(StoreError) -> Int {
        try await run("DELETE FROM events WHERE id IN (SELECT id FROM events WHERE id <= (SELECT MAX(id) FROM events) - ? ORDER BY id LIMIT ?) RETURNING 1 AS gone",
                      [.integer(keeping), .integer(limit)]).count
    }
}
