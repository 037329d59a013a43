/// How many entries each of the `Directory`'s caches holds at most (`tessera serve --cache-clients`,
/// `--cache-servers`); past that the least recently used go first. A cache keeps two generations of half
/// its bound (`BoundedTable`), so an entry stays while it is used again within the next half-bound of new
/// entries: give a bound of twice the working set. 0 turns a cache off: every lookup reads the store,
/// still correct, only slower.
public struct CacheLimits: Sendable, Equatable {
    /// Clients.
    public var clients: Int
    /// Servers, and as many scope lists and key rings.
    public var servers: Int

    public init(clients: Int = 100_000, servers: Int = 10_000) {
        self.clients = clients
        self.servers = servers
    }
}
