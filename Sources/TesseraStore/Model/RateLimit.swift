/// How many requests a client or an address may make per period, as an operator writes it:
/// `50/s`, `600/min`, `10000/h`. A token bucket of `requests` tokens that refills at `requests` per
/// `period`, so a client may send a burst of `requests` at once and then the steady rate.
public struct RateLimit: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Requests allowed per period, at least 1.
    public let requests: Int
    /// The period in seconds: 1, 60 or 3600.
    public let period: Int

    /// The largest number of requests a limit may name.
    public static let maximumRequests = 1_000_000_000
    private static let units: [(names: Set<String>, seconds: Int, written: String)] = [
        (["s", "sec", "second", "seconds"], 1, "s"), (["min", "minute", "minutes"], 60, "min"), (["h", "hour", "hours"], 3600, "h"),
    ]

    public init(requests: Int, period: Int) {
        precondition(requests >= 1 && requests <= Self.maximumRequests && [1, 60, 3600].contains(period), "checked by init(parsing:)")
        self.requests = requests
        self.period = period
    }

    /// Reads `N/s`, `N/min` or `N/h` (also `second`, `minute`, `hour`); says what is wrong otherwise.
    public init(parsing text: String) throws(RateLimitError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw RateLimitError("\(text.debugDescription) is not a rate limit; write requests/period, e.g. 50/s, 600/min or 10000/h")
        }
        guard let requests = Int(parts[0]) else {
            throw RateLimitError("\(text.debugDescription): \(String(parts[0]).debugDescription) is not a whole number of requests")
        }
        guard requests >= 1 else {
            throw RateLimitError("\(text.debugDescription): a limit must allow at least 1 request per period; to remove a limit, write none")
        }
        guard requests <= Self.maximumRequests else {
            throw RateLimitError("\(text.debugDescription): at most \(Self.maximumRequests) requests per period")
        }
        let unit = parts[1].lowercased()
        guard let known = Self.units.first(where: { $0.names.contains(unit) }) else {
            throw RateLimitError("\(text.debugDescription): \(String(parts[1]).debugDescription) is not a period; use s, min or h")
        }
        self.init(requests: requests, period: known.seconds)
    }

    /// A stored column as written by `description`; nil for NULL (and for text no version of Tessera wrote).
    public init?(stored text: String?) {
        guard let text, let limit = try? RateLimit(parsing: text) else { return nil }
        self = limit
    }

    /// Requests per second.
    public var perSecond: Double { Double(requests) / Double(period) }

    /// As written by `init(parsing:)`: `50/s`.
    public var description: String {
        "\(requests)/\(Self.units.first { $0.seconds == period }?.written ?? "s")"
    }

    /// In words, for error descriptions: "50 requests per second".
    public var spelledOut: String {
        let unit = period == 1 ? "second" : period == 60 ? "minute" : "hour"
        return "\(requests) request\(requests == 1 ? "" : "s") per \(unit)"
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: text) } catch { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
