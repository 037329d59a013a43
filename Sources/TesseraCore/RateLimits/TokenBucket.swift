import TesseraStore

/// A token bucket (RFC 6585 §4's 429 is what an empty one answers): full at first, one token per
/// request, refilled continuously at the limit's rate up to its size.
struct TokenBucket: Sendable {
    private var tokens: Double
    private var updated: Double

    /// A full bucket for `limit`, at `now` (seconds).
    init(_ limit: RateLimit, now: Double) {
        tokens = Double(limit.requests)
        updated = now
    }

    /// Takes a token for a request at `now`; nil when one was there, else the seconds until one will be.
    mutating func take(_ limit: RateLimit, now: Double) -> Double? {
        let rate = limit.perSecond
        tokens = min(Double(limit.requests), tokens + max(0, now - updated) * rate)
        updated = max(updated, now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return (1 - tokens) / rate
    }
}
