import Foundation

/// Which client-assertion `jti`s are claimed, and until when, on one SQLite database.
///
/// Deciding in memory instead of by a unique `(client_id, jti)` index spares every claim the index page
/// its random key dirties, with the WAL frames and checkpoints that follow (measured in
/// docs/performance.md), and leaves the database an append-only log (`assertion_claims`, read back when a store takes the claims over), which
/// is exact as long as one store at a time decides claims on the database — `ClaimLock` makes sure of that.
///
/// Keys are 64-bit hashes of (client, jti) by the standard library's SipHash with its per-process
/// random seed: a collision can only refuse a fresh assertion as a replay (odds about n / 2⁶⁴ per claim
/// with n live claims), never accept a replay.
///
/// Forgetting expired claims walks every entry (tens of milliseconds for millions), so it runs outside
/// the store's lock: `startForgetting` sets the claims aside, still consulted, and new claims
/// go to a fresh table until `finishForgetting` merges them into the survivors.
struct ClaimedAssertions: Sendable {
    private var expiries: [UInt64: Double] = [:]
    /// The claims being filtered by a purge; read-only until the purge hands back the survivors.
    private var settingAside: [UInt64: Double]?
    /// Claims withdrawn while a purge ran, applied to its survivors.
    private var withdrawnWhileForgetting: [(key: UInt64, expiry: Double)] = []

    static func key(clientID: String, jti: String) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(clientID)
        hasher.combine(jti)
        return UInt64(UInt(bitPattern: hasher.finalize()))
    }

    /// Entries held (some may have expired since the last purge; while a purge runs, a key claimed again
    /// after expiring is counted in both tables).
    var count: Int { expiries.count + (settingAside?.count ?? 0) }

    /// Records the claim and returns true unless the key is claimed until `now` or later (a replay).
    /// A claim that has expired is taken over.
    mutating func claim(_ key: UInt64, until expiresAt: Date, now: Date) -> Bool {
        if let held = expiries[key] ?? settingAside?[key], held >= now.timeIntervalSince1970 { return false }
        expiries[key] = expiresAt.timeIntervalSince1970
        return true
    }

    /// Takes back a claim whose log row could not be written, unless a later claim replaced it.
    mutating func withdraw(_ key: UInt64, until expiresAt: Date) {
        let expiry = expiresAt.timeIntervalSince1970
        if expiries[key] == expiry {
            expiries[key] = nil
        } else if settingAside?[key] == expiry {
            withdrawnWhileForgetting.append((key, expiry))
        }
    }

    /// Adds a claim read from the log; of two rows of one key the later expiry counts.
    mutating func restore(_ key: UInt64, until expiresAt: Double) {
        expiries[key] = max(expiries[key] ?? expiresAt, expiresAt)
    }

    /// Sets the claims aside for a purge and returns them to be filtered outside the lock (nil while
    /// another purge runs). They keep refusing replays until `finishForgetting`.
    mutating func startForgetting() -> [UInt64: Double]? {
        guard settingAside == nil else { return nil }
        settingAside = expiries
        expiries = [:]
        return settingAside
    }

    /// The claims of `claims` that have not expired at `now`.
    static func unexpired(_ claims: [UInt64: Double], at now: Date) -> [UInt64: Double] {
        let cutoff = now.timeIntervalSince1970
        return claims.filter { $0.value >= cutoff }
    }

    /// Takes the survivors of a purge back, with the claims made and withdrawn meanwhile. The survivors
    /// are merged in place (passed `inout`, so not copied under the lock) and swapped in; the caller is
    /// left with the small table of claims made during the purge.
    mutating func finishForgetting(survivors: inout [UInt64: Double]) {
        guard settingAside != nil else { return }
        for (key, expiry) in withdrawnWhileForgetting where survivors[key] == expiry { survivors[key] = nil }
        for (key, expiry) in expiries { survivors[key] = expiry }
        swap(&expiries, &survivors)
        settingAside = nil
        withdrawnWhileForgetting = []
    }
}
