import ArgumentParser
import Foundation
import TesseraCore
import TesseraStore
import TesseraJSON

/// `tessera logs`: the event log, filtered, as lines for people or JSON lines; `--follow` streams.
struct Logs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the event log: one line per request to an OAuth endpoint.")
    @Option(help: "Only this authorization server.") var server: String?
    @Option(name: .customLong("client"), help: "Only this client id.") var client: String?
    @Option(name: .customLong("request-id"), help: "Only this request id (from X-Request-Id or an error body).") var requestID: String?
    @Option(help: "success or failure.") var outcome: String?
    @Option(help: "Only this reason code (see docs/reason-codes.md).") var reason: String?
    @Option(help: "Only events newer than this, e.g. 15m, 2h, 1d.") var since: String?
    @Option(help: "At most this many events (the newest), default 100.") var limit: Int = 100
    @Flag(help: "Keep printing new events until interrupted.") var follow = false
    @Flag(help: "Print JSON lines.") var json = false
    @OptionGroup var data: DataOptions

    func validate() throws {
        if let outcome, Event.Outcome(rawValue: outcome) == nil { throw ValidationError("--outcome must be success or failure; got \"\(outcome)\"") }
        if let since, DurationOption.parse(since) == nil { throw ValidationError("--since must be a number with a unit s, m, h or d (e.g. 15m); got \"\(since)\"") }
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
    }

    func run() async throws {
        let opened = try await data.open()
        var query = EventQuery(server: server, clientID: client, requestID: requestID, outcome: outcome.flatMap(Event.Outcome.init(rawValue:)),
                               reason: reason, since: since.flatMap(DurationOption.parse).map { Date().addingTimeInterval(-TimeInterval($0.components.seconds)) },
                               limit: limit)
        var last: Int64?
        repeat {
            query.afterID = last
            for event in try await opened.stores.events.events(matching: query) {
                FileHandle.standardOutput.write(Data(((json ? Self.jsonLine(event) : Self.humanLine(event)) + "\n").utf8))
                last = event.id
            }
            if follow {
                query.limit = 10_000
                try await Task.sleep(for: .milliseconds(500))
            }
        } while follow
    }

    static func humanLine(_ event: Event) -> String {
        let time = ISO8601DateFormatter().string(from: event.time)
        let reason = event.reason.map { "  \($0)" } ?? ""
        // One event, one line: a client id or message with CR/LF in it (from a request) cannot start another.
        return LogLineEscaping.escaped(
            "\(time)  \(event.endpoint)  \(event.server ?? "-")  \(event.clientID ?? "-")  \(event.outcome.rawValue)\(reason)  \(event.message)  [request \(event.requestID)]")
    }

    static func jsonLine(_ event: Event) -> String {
        var members: [(String, JSONValue)] = [
            ("id", .number(Double(event.id ?? 0))), ("time", .string(ISO8601DateFormatter().string(from: event.time))),
            ("request_id", .string(event.requestID)), ("endpoint", .string(event.endpoint)), ("outcome", .string(event.outcome.rawValue)),
            ("message", .string(event.message)), ("detail", .object(event.detail.mapValues(JSONValue.string))),
        ]
        for (name, value) in [("server", event.server), ("client_id", event.clientID), ("reason", event.reason),
                              ("remote_address", event.remoteAddress), ("user_agent", event.userAgent)] {
            if let value { members.append((name, .string(value))) }
        }
        return String(decoding: JSONWriter.object(members), as: UTF8.self)
    }
}
