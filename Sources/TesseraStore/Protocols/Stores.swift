/// Every store a Tessera node needs, as one value.
public struct Stores: Sendable {
    public var servers: any ServerStore
    public var scopes: any ScopeStore
    public var clients: any ClientStore
    public var keys: any KeyStore
    public var replays: any ReplayStore
    public var tokens: any TokenStore
    public var events: any EventLog
    public var changes: any ChangeSignal
    public var leases: any LeaseStore
    public var sealed: any SealedDataStore
    public var users: any UserStore

    public init(servers: any ServerStore, scopes: any ScopeStore, clients: any ClientStore, keys: any KeyStore, replays: any ReplayStore,
                tokens: any TokenStore, events: any EventLog, changes: any ChangeSignal, leases: any LeaseStore, sealed: any SealedDataStore,
                users: any UserStore) {
        self.users = users
        self.servers = servers
        self.scopes = scopes
        self.clients = clients
        self.keys = keys
        self.replays = replays
        self.tokens = tokens
        self.events = events
        self.changes = changes
        self.leases = leases
        self.sealed = sealed
    }

    /// Bundles one backend object that implements every protocol.
    public init<Backend: ServerStore & ScopeStore & ClientStore & KeyStore & ReplayStore & TokenStore & EventLog & ChangeSignal & LeaseStore
                & SealedDataStore & UserStore>(_ backend: Backend) {
        self.init(servers: backend, scopes: backend, clients: backend, keys: backend, replays: backend, tokens: backend, events: backend, changes: backend,
                  leases: backend, sealed: backend, users: backend)
    }
}
