import Foundation
import Synchronization
import TesseraStore

/// Read-through cache of the configuration the hot path reads on every request: servers, their
/// scopes and decrypted key rings, and clients.
///
/// Caching is safe because every change goes through the store and moves its change version;
/// `refreshIfChanged()` (run every few hundred milliseconds by the server) drops everything when
/// another process — the admin CLI, another node — has written.
public final class Directory: Sendable {
    private struct State {
        var version: Int64?
        var servers: [String: AuthorizationServer] = [:]
        var scopes: [String: Set<String>] = [:]
        var keyRings: [String: ServerKeyRing] = [:]
        var clients: [String: Client] = [:]
    }

    public let stores: Stores
    private let masterKey: MasterKey
    private let clock: any WallClock
    private let state = Mutex(State())

    /// `clock` decides which signing key is current (`KeyState`): a key ring is reloaded once one of its
    /// keys activates or retires.
    public init(stores: Stores, masterKey: MasterKey, clock: any WallClock = SystemWallClock()) {
        self.stores = stores
        self.masterKey = masterKey
        self.clock = clock
    }

    public func server(named name: String) async throws(StoreError) -> AuthorizationServer? {
        if let cached = state.withLock({ $0.servers[name] }) { return cached }
        guard let server = try await stores.servers.server(named: name) else { return nil }
        state.withLock { $0.servers[name] = server }
        return server
    }

    public func client(id: String) async throws(StoreError) -> Client? {
        if let cached = state.withLock({ $0.clients[id] }) { return cached }
        guard let client = try await stores.clients.client(id: id) else { return nil }
        state.withLock { $0.clients[id] = client }
        return client
    }

    /// The names of the scopes a server defines.
    public func scopeNames(server: String) async throws(StoreError) -> Set<String> {
        if let cached = state.withLock({ $0.scopes[server] }) { return cached }
        let names = Set(try await stores.scopes.scopes(server: server).map(\.name))
        state.withLock { $0.scopes[server] = names }
        return names
    }

    /// The server's signing keys, decrypted; a key that does not decrypt (another master key) makes the
    /// store's keys unusable, `StoreError.unavailable`.
    public func keyRing(server: String) async throws(StoreError) -> ServerKeyRing {
        let now = clock.now
        if let cached = state.withLock({ $0.keyRings[server] }), cached.validUntil > now { return cached }
        let keys = try await stores.keys.keys(server: server)
        let ring: ServerKeyRing
        do {
            ring = try await ServerKeyRing.load(keys: keys, masterKey: masterKey, at: now)
        } catch {
            throw StoreError.unavailable("the signing keys of server \(server) cannot be used: \(error)")
        }
        state.withLock { $0.keyRings[server] = ring }
        return ring
    }

    /// Drops every cached entry when the store's change version moved; returns whether it did.
    @discardableResult
    public func refreshIfChanged() async throws(StoreError) -> Bool {
        let version = try await stores.changes.changeVersion()
        return state.withLock { state in
            guard state.version != version else { return false }
            let wasKnown = state.version != nil
            state = State(version: version)
            return wasKnown
        }
    }

    /// Drops every cached entry now (after a change made through this process).
    public func invalidateAll() {
        state.withLock { $0 = State(version: $0.version) }
    }
}
