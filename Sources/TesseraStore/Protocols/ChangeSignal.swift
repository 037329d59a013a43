/// Tells a running server that another process (the admin CLI, another node) changed the data.
///
/// Nodes cache servers, clients and keys on the hot path; when the version moves they drop the caches.
public protocol ChangeSignal: Sendable {
    /// A number that changes whenever another connection commits a change.
    func changeVersion() async throws(StoreError) -> Int64
    /// Calls `handler` as soon as the backend learns of a change pushed by the database (PostgreSQL's
    /// LISTEN/NOTIFY), so nodes need not wait for the next poll of `changeVersion()`. Backends without
    /// push (SQLite) keep the default, which never calls it.
    func observeChanges(_ handler: @escaping @Sendable () async -> Void)
}

extension ChangeSignal {
    public func observeChanges(_ handler: @escaping @Sendable () async -> Void) {}
}
