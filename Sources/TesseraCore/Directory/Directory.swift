import Foundation
import Synchronization
import TesseraStore

/// Read-through cache of the configuration the hot path reads on every request: servers, their
/// scopes and decrypted key rings, and clients — each bounded (`CacheLimits`), the least recently used
/// going first.
///
/// Caching is safe because every change appends to the store's change feed; `refreshIfChanged()`
/// (run every few hundred milliseconds by the server, and on PostgreSQL's notifications) reads the
/// entries since the last refresh and drops just what they name — a change to one client leaves every
/// other client cached. When entries are missing (purged while this node was away, or of a kind it does
/// not know) it drops everything, as it does at its first refresh.
public final class Directory: Sendable {
    private struct State {
        var version: Int64?
        /// Moves with every drop: a load that began before a drop must not store what it read.
        var generation: UInt64 = 0
        var servers: BoundedTable<String, AuthorizationServer>
        var scopes: BoundedTable<String, Set<String>>
        var keyRings: BoundedTable<String, ServerKeyRing>
        var clients: BoundedTable<String, Client>
        /// Lookups that found their entry, and that went to the store, by `Cache.slot`.
        var hits = [Int](repeating: 0, count: Cache.allCases.count)
        var misses = [Int](repeating: 0, count: Cache.allCases.count)

        init(limits: CacheLimits) {
            servers = BoundedTable(capacity: limits.servers)
            scopes = BoundedTable(capacity: limits.servers)
            keyRings = BoundedTable(capacity: limits.servers)
            clients = BoundedTable(capacity: limits.clients)
        }

        mutating func dropAll() {
            servers.removeAll()
            scopes.removeAll()
            keyRings.removeAll()
            clients.removeAll()
            generation &+= 1
        }

        /// `entry`, counted as a hit or a miss of `cache` (under the lock the lookup takes anyway).
        mutating func lookup<Value>(_ entry: Value?, in cache: Cache) -> (Value?, UInt64) {
            if entry != nil { hits[cache.slot] += 1 } else { misses[cache.slot] += 1 }
            return (entry, generation)
        }
    }

    /// The caches of the directory, as `/metrics` names them.
    public enum Cache: String, Sendable, CaseIterable {
        case servers, clients, scopes, keyRings = "key_rings"

        var slot: Int {
            switch self {
            case .servers: 0
            case .clients: 1
            case .scopes: 2
            case .keyRings: 3
            }
        }
    }

    /// Hits and misses of one cache since the start, and how many entries it holds now.
    public struct CacheStatistics: Sendable, Equatable {
        public var hits: Int
        public var misses: Int
        public var entries: Int

        public init(hits: Int, misses: Int, entries: Int) {
            self.hits = hits
            self.misses = misses
            self.entries = entries
        }
    }

    /// What a refresh found.
    public struct Refresh: Sendable, Equatable {
        /// Feed entries applied one by one.
        public var applied: Int = 0
        /// Everything was dropped (first refresh, or entries missing).
        public var droppedAll = false
        /// A token was revoked or a JWT denied: verified tokens cached elsewhere must be checked again.
        public var revocations = false
        /// A server's keys changed (a key retired by hand stops verifying what it signed).
        public var keysChanged = false

        public var changed: Bool { applied > 0 || droppedAll }
        /// Whether verified tokens cached elsewhere (`TokenVerifier`) must be checked again.
        public var verifiedTokensStale: Bool { revocations || keysChanged || droppedAll }

        public init(applied: Int = 0, droppedAll: Bool = false, revocations: Bool = false, keysChanged: Bool = false) {
            self.applied = applied
            self.droppedAll = droppedAll
            self.revocations = revocations
            self.keysChanged = keysChanged
        }
    }

    /// How many feed entries one refresh reads; a node further behind drops everything instead.
    static let feedBatch = 1_000

    public let stores: Stores
    private let masterKey: MasterKey
    private let clock: any WallClock
    private let state: Mutex<State>

    /// `clock` decides which signing key is current (`KeyState`): a key ring is reloaded once one of its
    /// keys activates or retires.
    public init(stores: Stores, masterKey: MasterKey, clock: any WallClock = SystemWallClock(), limits: CacheLimits = CacheLimits()) {
        self.stores = stores
        self.masterKey = masterKey
        self.clock = clock
        state = Mutex(State(limits: limits))
    }

    public func server(named name: String) async throws(StoreError) -> AuthorizationServer? {
        let (cached, generation) = state.withLock { state in
            let entry = state.servers.value(for: name)
            return state.lookup(entry, in: .servers)
        }
        if let cached { return cached }
        guard let server = try await stores.servers.server(named: name) else { return nil }
        store(generation) { $0.servers.set(server, for: name) }
        return server
    }

    public func client(id: String) async throws(StoreError) -> Client? {
        let (cached, generation) = state.withLock { state in
            let entry = state.clients.value(for: id)
            return state.lookup(entry, in: .clients)
        }
        if let cached { return cached }
        guard let client = try await stores.clients.client(id: id) else { return nil }
        store(generation) { $0.clients.set(client, for: id) }
        return client
    }

    /// The names of the scopes a server defines.
    public func scopeNames(server: String) async throws(StoreError) -> Set<String> {
        let (cached, generation) = state.withLock { state in
            let entry = state.scopes.value(for: server)
            return state.lookup(entry, in: .scopes)
        }
        if let cached { return cached }
        let names = Set(try await stores.scopes.scopes(server: server).map(\.name))
        store(generation) { $0.scopes.set(names, for: server) }
        return names
    }

    /// The server's signing keys, decrypted; a key that does not decrypt (another master key) makes the
    /// store's keys unusable, `StoreError.unavailable`.
    public func keyRing(server: String) async throws(StoreError) -> ServerKeyRing {
        let now = clock.now
        let (cached, generation) = state.withLock { state in
            let entry = state.keyRings.value(for: server).flatMap { $0.validUntil > now ? $0 : nil }
            return state.lookup(entry, in: .keyRings)
        }
        if let cached { return cached }
        let keys = try await stores.keys.keys(server: server)
        let ring: ServerKeyRing
        do {
            ring = try await ServerKeyRing.load(keys: keys, masterKey: masterKey, at: now)
        } catch {
            throw StoreError.unavailable("the signing keys of server \(server) cannot be used: \(error)")
        }
        store(generation) { $0.keyRings.set(ring, for: server) }
        return ring
    }

    /// Stores what a load read, unless something was dropped since it began (it may have read the old value).
    private func store(_ generation: UInt64, _ body: (inout State) -> Void) {
        state.withLock { state in
            guard state.generation == generation else { return }
            body(&state)
        }
    }

    /// Applies the change feed since the last refresh: drops what each entry names, or everything when
    /// entries are missing; the first refresh only learns where the feed stands.
    @discardableResult
    public func refreshIfChanged() async throws(StoreError) -> Refresh {
        let latest = try await stores.changes.changeVersion()
        guard let known = state.withLock({ $0.version }) else {
            state.withLock { state in
                state.version = latest
                state.dropAll()
            }
            return Refresh()
        }
        guard latest != known else { return Refresh() }
        let changes = latest > known ? try await stores.changes.changes(after: known, limit: Self.feedBatch) : []
        return state.withLock { state in
            // Another refresh may have applied these meanwhile.
            guard state.version == known else { return Refresh() }
            var refresh = Refresh()
            // Complete when the entries run without a hole from the known version to at least the latest
            // (more may have been committed since `latest` was read; they are applied too).
            let consecutive = changes.enumerated().allSatisfy { $0.element.version == known + 1 + Int64($0.offset) }
            guard latest > known, consecutive, let reached = changes.last?.version, reached >= latest else {
                state.version = latest
                state.dropAll()
                refresh.droppedAll = true
                refresh.revocations = true
                return refresh
            }
            state.generation &+= 1
            for change in changes {
                switch change.kind {
                case .server: state.servers.remove(change.key)
                case .scopes: state.scopes.remove(change.key)
                case .client: state.clients.remove(change.key)
                case .keys:
                    state.keyRings.remove(change.key)
                    refresh.keysChanged = true
                case .revocation: refresh.revocations = true
                }
            }
            state.version = reached
            refresh.applied = changes.count
            return refresh
        }
    }

    /// Hits, misses and entries of `cache`.
    public func statistics(_ cache: Cache) -> CacheStatistics {
        state.withLock { state in
            let entries = switch cache {
            case .servers: state.servers.count
            case .clients: state.clients.count
            case .scopes: state.scopes.count
            case .keyRings: state.keyRings.count
            }
            return CacheStatistics(hits: state.hits[cache.slot], misses: state.misses[cache.slot], entries: entries)
        }
    }

    /// Drops every cached entry now.
    public func invalidateAll() {
        state.withLock { $0.dropAll() }
    }
}
