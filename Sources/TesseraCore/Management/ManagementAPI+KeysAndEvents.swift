import Foundation
import TesseraJSON
import TesseraStore

/// `/api/v1/servers/{name}/keys` (public parts and states only) and `/api/v1/events` (the event log,
/// newest first, a page at a time).
extension ManagementAPI {
    public func listKeys(server name: String, caller: Caller) async throws(OAuthError) -> Answer {
        let keys = try await admin("listing keys") { try await administration.keys(server: name) }
        return Self.list("keys", keys.map { ManagementJSON.key($0.key, state: $0.state) }, caller: caller, "listed \(keys.count) keys of server \(name)")
    }

    /// `POST /api/v1/servers/{name}/keys`: a new key, published at once and signing after `publish_delay`
    /// seconds (default 300, the JWKS max-age; 0 to sign at once).
    public func rotateKey(server name: String, _ input: ManagementInput, caller: Caller) async throws(OAuthError) -> Answer {
        try input.allowOnly(["alg", "publish_delay"])
        let algorithm = try input.string("alg") ?? "ES256"
        let delay = try input.integer("publish_delay", in: 0...86_400).map(TimeInterval.init) ?? Administration.defaultPublishDelay
        let key = try await admin("rotating the key", field: "alg") { try await administration.rotateKey(server: name, algorithm: algorithm, publishDelay: delay) }
        let state: KeyState = delay == 0 ? .current : .next
        return Self.answer(201, ManagementJSON.key(key, state: state), etag: false, location: "/api/v1/servers/\(name)/keys", caller: caller,
                           "rotated the signing key of server \(name): \(key.kid) (\(algorithm)) signs in \(Int(delay)) s",
                           detail: ["server": name, "kid": key.kid], changed: true)
    }

    /// `DELETE /api/v1/servers/{name}/keys/{kid}`: the key leaves the JWKS at once.
    public func retireKey(server name: String, kid: String, caller: Caller) async throws(OAuthError) -> Answer {
        try await admin("retiring the key", field: "kid") { try await administration.retireKey(server: name, kid: kid) }
        return Self.answer(204, nil, caller: caller, "retired key \(kid) of server \(name)", detail: ["server": name, "kid": kid], changed: true)
    }

    static let eventFilters = ["server", "client_id", "request_id", "outcome", "reason", "since", "cursor", "limit"]

    /// `GET /api/v1/events`: the same filters as `tessera logs`, newest first; `next_cursor` fetches the
    /// page before this one (null on the last page).
    public func events(query: [String: String], caller: Caller) async throws(OAuthError) -> Answer {
        for name in query.keys.sorted() where !Self.eventFilters.contains(name) {
            throw ManagementInput.problem(.apiFieldUnknown, name, "unknown query parameter \(quoted(name)); events take \(Self.eventFilters.joined(separator: ", "))")
        }
        var filter = EventQuery(server: query["server"], clientID: query["client_id"], requestID: query["request_id"], reason: query["reason"])
        if let outcome = query["outcome"] {
            guard let parsed = Event.Outcome(rawValue: outcome) else {
                throw ManagementInput.problem(.apiFieldInvalid, "outcome", "outcome must be success or failure; got \(quoted(outcome))")
            }
            filter.outcome = parsed
        }
        if let since = query["since"] {
            guard let date = Self.time(since) else {
                throw ManagementInput.problem(.apiFieldInvalid, "since", "since must be whole seconds since 1970 or an RFC 3339 time (2026-12-01T10:00:00Z); got \(quoted(since))")
            }
            filter.since = date
        }
        if let cursor = query["cursor"] {
            guard let id = Int64(cursor), id > 0 else {
                throw ManagementInput.problem(.apiFieldInvalid, "cursor", "cursor must be the next_cursor of an earlier page; got \(quoted(cursor))")
            }
            filter.beforeID = id
        }
        let limit = try Self.whole(query["limit"], name: "limit", in: 1...1000) ?? 100
        filter.limit = limit + 1  // one more tells whether another page follows
        let found = try await admin("reading events") { try await stores.events.events(matching: filter) }
        let page = Array(found.reversed().prefix(limit))
        let next: JSONValue = found.count > limit ? (page.last?.id.map { .string(String($0)) } ?? .null) : .null
        let items = page.map { event in JSONValue.object(Dictionary(ManagementJSON.event(event).map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })) }
        return Self.answer(200, [("events", .array(items)), ("next_cursor", next)], etag: false, caller: caller,
                           "read \(page.count) events", detail: query.filter { $0.key != "cursor" }, changed: false)
    }

    static func whole(_ text: String?, name: String, in range: ClosedRange<Int>) throws(OAuthError) -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ManagementInput.problem(.apiFieldInvalid, name, "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound); got \(quoted(text))")
        }
        return value
    }

    static func time(_ text: String) -> Date? {
        if let seconds = Int64(text), seconds >= 0, seconds < 253_402_300_800 { return Date(timeIntervalSince1970: TimeInterval(seconds)) }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: text.contains(".")))
    }
}
