import Foundation
import SQLiteNIO
import TesseraStore

/// What a store knows about assertion claims once it holds the claim lock.
struct ClaimState: Sendable {
    var lock: ClaimLock?
    var live = ClaimedAssertions()
}

/// One row of the `assertion_claims` log.
struct ClaimRow: Sendable {
    var clientID: String
    var jti: String
    var expiresAt: Date
}

/// Single-use assertion `jti`s on SQLite: decided in memory by the one store that holds the claim lock
/// (`ClaimedAssertions`, `ClaimLock`), each accepted claim appended to `assertion_claims` and committed
/// (in a group with the claims around it) before the caller hears yes.
extension SQLiteStore: ReplayStore {
    public func claim(clientID: String, jti: String, expiresAt: Date, now: Date) async throws(StoreError) -> Bool {
        let key = ClaimedAssertions.key(clientID: clientID, jti: jti)
        var accepted = decide(key, until: expiresAt, now: now)
        if accepted == nil {
            try await takeAssertionClaims()
            accepted = decide(key, until: expiresAt, now: now)
        }
        guard let accepted else { throw StoreError.unavailable("the SQLite store at \(path) was closed") }
        guard accepted else { return false }
        do {
            try await claimLog.write(ClaimRow(clientID: clientID, jti: jti, expiresAt: expiresAt)) { [self] rows in
                try await appendClaims(rows)
            }
        } catch {
            claims.withLock { $0.live.withdraw(key, until: expiresAt) }
            throw StoreError(wrapping: error)
        }
        return true
    }

    /// The claim's answer, or nil while this store does not hold the claim lock.
    private func decide(_ key: UInt64, until expiresAt: Date, now: Date) -> Bool? {
        claims.withLock { $0.lock == nil ? nil : $0.live.claim(key, until: expiresAt, now: now) }
    }

    public func purgeExpired(now: Date) async throws(StoreError) -> Int {
        if let setAside = claims.withLock({ $0.live.startForgetting() }) {
            var survivors = ClaimedAssertions.unexpired(setAside, at: now)
            claims.withLock { $0.live.finishForgetting(survivors: &survivors) }
        }
        return try await run("DELETE FROM assertion_claims WHERE expires_at < ? RETURNING 1 AS gone", [.date(now)]).count
    }

    /// Takes the claim lock and reads the claims from the log (purged of expired rows every minute); done
    /// by the first claim, and by `tessera serve` at start so that a second server on the same database
    /// stops at once. Throws `StoreError.unavailable` naming the holder when another store has the lock.
    public func takeAssertionClaims() async throws(StoreError) {
        let takeover = claimTakeover.withLock { running in
            if let running { return running }
            let task = Task { try await self.readClaimsUnderLock() }
            running = task
            return task
        }
        do {
            try await takeover.value
        } catch {
            claimTakeover.withLock { if $0 == takeover { $0 = nil } }
            throw StoreError(wrapping: error)
        }
    }

    private func readClaimsUnderLock() async throws {
        let lock = try ClaimLock.take(forDatabase: path)
        do {
            // Every row, expired or not: whether a claim still holds is judged against each claim's own clock.
            let rows = try await run("SELECT client_id, jti, expires_at FROM assertion_claims")
            var live = ClaimedAssertions()
            for row in rows {
                live.restore(ClaimedAssertions.key(clientID: row.text("client_id") ?? "", jti: row.text("jti") ?? ""),
                             until: row.column("expires_at")?.double ?? 0)
            }
            claims.withLock { $0 = ClaimState(lock: lock, live: live) }
        } catch {
            lock.release()
            throw error
        }
    }

    /// Gives the claim lock up (on close).
    func releaseAssertionClaims() {
        claimTakeover.withLock { $0 = nil }
        let lock = claims.withLock { state in
            defer { state = ClaimState() }
            return state.lock
        }
        lock?.release()
    }

    private func appendClaims(_ rows: [ClaimRow]) async throws {
        var binds: [SQLiteData] = []
        binds.reserveCapacity(rows.count * 3)
        for row in rows {
            binds += [.text(row.clientID), .text(row.jti), .date(row.expiresAt)]
        }
        try await run(
            "INSERT INTO assertion_claims (client_id, jti, expires_at) VALUES \(Array(repeating: "(?, ?, ?)", count: rows.count).joined(separator: ", "))",
            binds)
    }
}
