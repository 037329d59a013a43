import Foundation

/// Remembers client-assertion `jti`s so each assertion is accepted once (RFC 7523 §3, RFC 9700 §2.2).
///
/// Kept in the database so that a replay is caught whichever node receives it, and after a restart.
/// PostgreSQL decides each claim with a unique index (any number of nodes); SQLite decides them in the
/// memory of the one server that holds the database's claim lock and logs each accepted claim before
/// answering.
public protocol ReplayStore: Sendable {
    /// Records `jti` for `clientID` until `expiresAt`. Returns false when it was already recorded and
    /// has not expired (a replay). Atomic: of two concurrent claims of one jti, exactly one returns true.
    func claim(clientID: String, jti: String, expiresAt: Date, now: Date) async throws(StoreError) -> Bool
    /// Forgets entries that expired before `now`; returns how many were removed.
    func purgeExpired(now: Date) async throws(StoreError) -> Int
}
