import Foundation
import Synchronization
import TesseraStore

/// Decides, per request, whether its address and its client are within their limits, and whether its
/// client id is locked out from its address after repeated failed authentications (RFC 6749 §2.3.1,
/// RFC 7662 §4). Every refusal is a 429 `OAuthError` whose description names the limit and when to
/// retry, with `retry_after` in its detail for the `Retry-After` header.
///
/// Failures are counted per client id **and address**: an attacker who guesses a client's secret from
/// one address locks that client id out for that address only, never for the client's own addresses
/// (the trade-off is in docs/security.md). State lives in this node's memory, in tables bounded by
/// `RateLimitPolicy.trackedEntries`.
public final class RateLimiter: Sendable {
    public let policy: RateLimitPolicy
    private let clock: any WallClock
    private let addresses: Mutex<BoundedTable<String, TokenBucket>>
    private let clients: Mutex<BoundedTable<String, TokenBucket>>
    private let failures: Mutex<BoundedTable<String, FailureRecord>>

    public init(policy: RateLimitPolicy, clock: any WallClock) {
        self.policy = policy
        self.clock = clock
        addresses = Mutex(BoundedTable(capacity: policy.trackedEntries))
        clients = Mutex(BoundedTable(capacity: policy.trackedEntries))
        failures = Mutex(BoundedTable(capacity: policy.trackedEntries))
    }

    /// Takes a request of `address` from its bucket, or refuses it (`rate_limit.address`).
    public func admit(address: String?) throws(OAuthError) {
        guard let limit = policy.perAddress, let address else { return }
        guard let wait = take(limit, key: address, in: addresses) else { return }
        throw OAuthError(.temporarilyUnavailable, .rateLimitAddress,
                         "address \(address) is limited to \(limit.spelledOut); retry after \(Self.seconds(wait)) s",
                         detail: ["retry_after": "\(Self.seconds(wait))", "limit": limit.description, "address": address], status: 429)
    }

    /// Takes a request of `client` (authenticated) from its bucket, or refuses it (`rate_limit.client`).
    /// The limit is the client's own, else its server's, else the deployment's.
    public func admit(client: Client, server: AuthorizationServer) throws(OAuthError) {
        guard let limit = client.rateLimit ?? server.rateLimit ?? policy.perClient else { return }
        guard let wait = take(limit, key: client.id, in: clients) else { return }
        // Named only on a refusal: building the sentence for every admitted request would cost more than the bucket.
        let source = client.rateLimit != nil ? "its own limit" : server.rateLimit != nil ? "the limit of server \(server.name)" : "the deployment's default"
        throw OAuthError(.temporarilyUnavailable, .rateLimitClient,
                         "client \(client.id) is limited to \(limit.spelledOut) on this server (\(source)); retry after \(Self.seconds(wait)) s",
                         detail: ["retry_after": "\(Self.seconds(wait))", "limit": limit.description], status: 429, clientID: client.id)
    }

    /// Refuses the request (`client_auth.locked_out`) while `clientID` is locked for `address`; returns
    /// whether failures of the pair are on record (only then is there anything for `recordSuccess` to forget).
    @discardableResult
    public func checkLockout(clientID: String, address: String?) throws(OAuthError) -> Bool {
        guard policy.lockoutThreshold > 0 else { return false }
        let key = Self.failureKey(clientID, address)
        let now = clock.now.timeIntervalSince1970
        guard let record = failures.withLock({ $0.value(for: key) }) else { return false }
        guard record.lockedUntil > now else { return true }
        let wait = record.lockedUntil - now
        let from = address.map { " from \($0)" } ?? ""
        throw OAuthError(.temporarilyUnavailable, .clientAuthLockedOut,
                         "client \(clientID) is locked\(from) for another \(Self.seconds(wait)) s after \(record.lockingFailures) failed authentications; "
                            + "fix the credentials the client sends (the events of its failures say what was wrong) and retry after the lock",
                         detail: ["retry_after": "\(Self.seconds(wait))", "failures": "\(record.lockingFailures)", "address": address ?? ""],
                         status: 429, clientID: clientID)
    }

    /// Counts a failed authentication of `clientID` from `address`; the threshold-th within the window
    /// locks that pair, for twice as long as its previous lock (up to the maximum).
    public func recordFailure(clientID: String, address: String?) {
        guard policy.lockoutThreshold > 0 else { return }
        let key = Self.failureKey(clientID, address)
        let now = clock.now.timeIntervalSince1970
        failures.withLock { table in
            var record = table.value(for: key) ?? FailureRecord(windowStart: now)
            if now - record.windowStart > policy.failureWindow {
                record.windowStart = now
                record.count = 0
            }
            record.count += 1
            if record.count >= policy.lockoutThreshold {
                let length = min(policy.maximumLockout, policy.lockoutDuration * pow(2, Double(min(record.locks, 30))))
                record.lockedUntil = now + length
                record.lockingFailures = record.count
                record.locks += 1
                record.count = 0
                record.windowStart = now
            }
            table.set(record, for: key)
        }
    }

    /// Forgets the failures of `clientID` from `address` once it authenticates there.
    public func recordSuccess(clientID: String, address: String?) {
        guard policy.lockoutThreshold > 0 else { return }
        let key = Self.failureKey(clientID, address)
        failures.withLock { table in
            if table.value(for: key) != nil { table.remove(key) }
        }
    }

    /// How many addresses, clients and (client id, address) failure records are tracked now.
    public var trackedCounts: (addresses: Int, clients: Int, failures: Int) {
        (addresses.withLock { $0.count }, clients.withLock { $0.count }, failures.withLock { $0.count })
    }

    private func take(_ limit: RateLimit, key: String, in table: borrowing Mutex<BoundedTable<String, TokenBucket>>) -> Double? {
        let now = clock.now.timeIntervalSince1970
        return table.withLock { table in
            var bucket = table.value(for: key) ?? TokenBucket(limit, now: now)
            let wait = bucket.take(limit, now: now)
            table.set(bucket, for: key)
            return wait
        }
    }

    private static func failureKey(_ clientID: String, _ address: String?) -> String {
        clientID + "\u{0}" + (address ?? "")
    }

    /// Whole seconds to wait, at least 1 (`Retry-After` takes whole seconds, RFC 9110 §10.2.3).
    static func seconds(_ wait: Double) -> Int {
        max(1, Int(wait.rounded(.up)))
    }
}

/// Failed authentications of one client id from one address.
private struct FailureRecord: Sendable {
    var windowStart: Double
    var count = 0
    var lockedUntil: Double = 0
    var lockingFailures = 0
    var locks = 0
}
