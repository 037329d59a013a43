import Foundation
import PostgresNIO
import TesseraStore

extension PostgresStore: EventLog {
    static let eventColumns = ["time", "request_id", "server", "endpoint", "client_id", "outcome", "reason", "message", "detail", "remote_address", "user_agent"]

    public func appendEvents(_ events: [Event]) async throws(StoreError) {
        guard !events.isEmpty else { return }
        // One transaction under the event order lock (see `PostgresSchema.eventOrderLock`), one multi-row
        // INSERT per chunk of 200 (11 binds each, well under the 65,535 limit).
        let statements = stride(from: events.startIndex, to: events.endIndex, by: 200).map { start in
            Self.insertStatement(events[start..<min(start + 200, events.endIndex)])
        }
        try await transaction { [logger] connection in
            _ = try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.eventOrderLock))", logger: logger)
            for statement in statements { _ = try await connection.query(statement, logger: logger) }
        }
    }

    /// A statement of as many rows as the chunk holds: built as text with its binds (postgres-nio's
    /// interpolation takes one value per placeholder written out).
    static func insertStatement(_ chunk: ArraySlice<Event>) -> PostgresQuery {
        var binds = PostgresBindings(capacity: chunk.count * eventColumns.count)
        var rows: [String] = []
        for event in chunk {
            let first = binds.count
            rows.append("(" + (1...eventColumns.count).map { "$\(first + $0)" }.joined(separator: ", ") + ")")
            binds.append(event.time.timeIntervalSince1970)
            binds.append(event.requestID)
            binds.append(event.server)
            binds.append(event.endpoint)
            binds.append(event.clientID)
            binds.append(event.outcome.rawValue)
            binds.append(event.reason)
            binds.append(event.message)
            binds.append(ColumnText.map(event.detail))
            binds.append(event.remoteAddress)
            binds.append(event.userAgent)
        }
        return PostgresQuery(unsafeSQL: "INSERT INTO events (\(eventColumns.joined(separator: ", "))) VALUES \(rows.joined(separator: ", "))", binds: binds)
    }

    public func events(matching query: EventQuery) async throws(StoreError) -> [Event] {
        var conditions: [String] = []
        var binds = PostgresBindings()
        func add(_ comparison: String, _ value: (some PostgresDynamicTypeEncodable)?) {
            guard let value else { return }
            binds.append(value)
            conditions.append("\(comparison) $\(binds.count)")
        }
        add("server =", query.server)
        add("client_id =", query.clientID)
        add("request_id =", query.requestID)
        add("outcome =", query.outcome?.rawValue)
        add("reason =", query.reason)
        add("time >=", query.since?.timeIntervalSince1970)
        add("id >", query.afterID.map { Int($0) })
        add("id <", query.beforeID.map { Int($0) })
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        binds.append(max(1, min(query.limit, 100_000)))
        let sql = "SELECT id, \(Self.eventColumns.joined(separator: ", ")) FROM events \(filter) ORDER BY id DESC LIMIT $\(binds.count)"
        return try await run(PostgresQuery(unsafeSQL: sql, binds: binds), deadline: .seconds(30)).reversed().map { row throws(StoreError) in
            Event(
                id: Int64(try row.int("id")), time: try row.date("time"), requestID: try row.text("request_id"), server: try row.optionalText("server"),
                endpoint: try row.text("endpoint"), clientID: try row.optionalText("client_id"),
                outcome: Event.Outcome(rawValue: try row.text("outcome")) ?? .failure, reason: try row.optionalText("reason"),
                message: try row.text("message"), detail: ColumnText.map(from: try row.text("detail")),
                remoteAddress: try row.optionalText("remote_address"), userAgent: try row.optionalText("user_agent"))
        }
    }

    public func purgeEvents(before cutoff: Date, limit: Int) async throws(StoreError) -> Int {
        try await run("""
            DELETE FROM events WHERE id IN (SELECT id FROM events WHERE time < \(cutoff.timeIntervalSince1970) ORDER BY time LIMIT \(limit)) RETURNING 1
            """, deadline: .seconds(60)).count
    }

    public func purgeEvents(keepingNewest keeping: Int, limit: Int) async throws(StoreError) -> Int {
        try await run("""
            DELETE FROM events WHERE id IN (
                SELECT id FROM events WHERE id <= (SELECT MAX(id) FROM events) - \(keeping) ORDER BY id LIMIT \(limit)) RETURNING 1
            """, deadline: .seconds(60)).count
    }
}
