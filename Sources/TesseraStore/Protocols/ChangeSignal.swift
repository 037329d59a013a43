import Foundation

/// The change feed: tells a running node what another process (the admin CLI, another node) or this
/// one changed, entry by entry, so it drops only those entries from its caches.
///
/// Every committed change of a server, a server's scopes, a client, a server's keys, a revocation or a
/// denied JWT appends one `ConfigChange` with the next version, in commit order; issuing tokens, claiming
/// assertion `jti`s, events, secret uses and leases append nothing.
public protocol ChangeSignal: Sendable {
    /// The version of the newest change (0 before the first).
    func changeVersion() async throws(StoreError) -> Int64
    /// The changes with a version above `version`, oldest first, at most `limit`. Entries are purged
    /// after a while (`purgeChanges`): a caller that finds the next version missing must drop everything.
    func changes(after version: Int64, limit: Int) async throws(StoreError) -> [ConfigChange]
    /// Deletes the entries recorded before `cutoff`; `changeVersion()` stays where it was.
    func purgeChanges(before cutoff: Date) async throws(StoreError) -> Int
    /// Calls `handler` as soon as the backend learns of a change pushed by the database (PostgreSQL's
    /// LISTEN/NOTIFY), so nodes need not wait for the next poll of `changeVersion()`. Backends without
    /// push (SQLite) keep the default, which never calls it.
    func observeChanges(_ handler: @escaping @Sendable () async -> Void)
}

extension ChangeSignal {
    public func observeChanges(_ handler: @escaping @Sendable () async -> Void) {}
}
