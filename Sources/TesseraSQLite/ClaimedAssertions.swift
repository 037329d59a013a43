import Foundation

/// Which client-assertion `jti`s are claimed, and until when, on one SQLite database.
///
/// The claims used to be decided by the database: an INSERT into a unique `(client_id, jti)` index.
/// Every claim's random key dirtied its own index page, and the WAL frames and checkpoints that
/// followed cost a sixth of a private_key_jwt token request. Deciding in memory leaves the database an
/// append-only log (`assertion_claims`, read back when a store takes the claims over), which is exact
/// as long as one store at a time decides claims on the database — `ClaimLock` makes sure of that.
///
/// Keys are 64-bit hashes of (client, jti) by the standard library's SipHash with its per-process
/// random seed: a collision can only refuse a fresh assertion as a replay (odds about n / 2⁶⁴ per claim
/// with n live claims), never accept a replay.
struct ClaimedAssertions: Sendable {
    private var expiries: [UInt64: Double] = [:]

    static func key(clientID: String, jti: String) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(clientID)
        hasher.combine(jti)
        return UInt64(UInt(bitPattern: hasher.finalize()))
    }

    /// Live claims held (some may have expired since the last `forget`).
    var count: Int { expiries.count }

    /// Records the claim and returns true unless the key is claimed until `now` or later (a replay).
    /// A claim that has expired is taken over.
    mutating func claim(_ key: UInt64, until expiresAt: Date, now: Date) -> Bool {
        if let held = expiries[key], held >= now.timeIntervalSince1970 { return false }
        expiries[key] = expiresAt.timeIntervalSince1970
        return true
    }

    /// Takes back a claim whose log row could not be written, unless a later claim replaced it.
    mutating func withdraw(_ key: UInt64, until expiresAt: Date) {
        if expiries[key] == expiresAt.timeIntervalSince1970 { expiries[key] = nil }
    }

    /// Adds a claim read from the log; of two rows of one key the later expiry counts.
    mutating func restore(_ key: UInt64, until expiresAt: Double) {
        expiries[key] = max(expiries[key] ?? expiresAt, expiresAt)
    }

    /// Drops claims that expired before `now`.
    mutating func forget(expiredBefore now: Date) {
        let cutoff = now.timeIntervalSince1970
        expiries = expiries.filter { $0.value >= cutoff }
    }
}
