import Foundation
import PostgresNIO
import TesseraStore

extension PostgresStore: EventLog {
    static let eventColumns = ["time", "request_id", "server", "endpoint", "client_id", "outcome", "reason", "message", "detail", "remote_address", "user_agent"]

    public func appendEvents(_ events: [Event]) async throws {
        // One multi-row INSERT per chunk of 200 (11 binds each, well under the 65,535 limit).
        var start = events.startIndex
        while start < events.endIndex {
            let chunk = events[start..<min(start + 200, events.endIndex)]
            var binds = PostgresBindings(capacity: chunk.count * Self.eventColumns.count)
            var rows: [String] = []
            for event in chunk {
                let first = binds.count
                rows.append("(" + (1...Self.eventColumns.count).map { "$\(first + $0)" }.joined(separator: ", ") + ")")
                for value: any PostgresBindable in [event.time, event.requestID, event.server, event.endpoint, event.clientID,
                                                    event.outcome.rawValue, event.reason, event.message, ColumnText.map(event.detail),
                                                    event.remoteAddress, event.userAgent] {
                    value.bind(into: &binds)
                }
            }
            try await run("INSERT INTO events (\(Self.eventColumns.joined(separator: ", "))) VALUES \(rows.joined(separator: ", "))", binds)
            start = chunk.endIndex
        }
    }

    public func events(matching query: EventQuery) async throws -> [Event] {
        var conditions: [String] = []
        var binds = PostgresBindings()
        func add(_ comparison: String, _ value: (any PostgresBindable)?) {
            guard let value else { return }
            value.bind(into: &binds)
            conditions.append("\(comparison) $\(binds.count)")
        }
        add("server =", query.server)
        add("client_id =", query.clientID)
        add("request_id =", query.requestID)
        add("outcome =", query.outcome?.rawValue)
        add("reason =", query.reason)
        add("time >=", query.since)
        add("id >", query.afterID.map { Int($0) })
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        binds.append(max(1, min(query.limit, 100_000)))
        let sql = "SELECT id, \(Self.eventColumns.joined(separator: ", ")) FROM events \(filter) ORDER BY id DESC LIMIT $\(binds.count)"
        return try await run(sql, binds, deadline: .seconds(30)).reversed().map { row in
            Event(
                id: Int64(try row.int("id")), time: try row.date("time"), requestID: try row.text("request_id"), server: try row.optionalText("server"),
                endpoint: try row.text("endpoint"), clientID: try row.optionalText("client_id"),
                outcome: Event.Outcome(rawValue: try row.text("outcome")) ?? .failure, reason: try row.optionalText("reason"),
                message: try row.text("message"), detail: ColumnText.map(from: try row.text("detail")),
                remoteAddress: try row.optionalText("remote_address"), userAgent: try row.optionalText("user_agent"))
        }
    }

    public func purgeEvents(before cutoff: Date) async throws -> Int {
        try await run("DELETE FROM events WHERE time < $1 RETURNING 1", PostgresBindings(cutoff), deadline: .seconds(60)).count
    }
}
