import Foundation
import Synchronization
import TesseraStore

/// Every store protocol in memory, behaving as the SQLite and PostgreSQL backends do (it passes
/// `StoreConformance`), so core tests and tools can run a deployment without a database file.
/// Nothing survives the process; one lock guards all state, so every call is atomic. The event log,
/// change feed, leases and sealed data are in `MemoryStore+EventsAndSealedData.swift`, users and groups in
/// `MemoryStore+Users.swift`.
public final class MemoryStore: ServerStore, ScopeStore, ClientStore, KeyStore, ReplayStore, TokenStore, EventLog, ChangeSignal, LeaseStore,
                                SealedDataStore, UserStore {
    /// Everything the store holds; internal so the extension files reach it, guarded by `state`'s lock.
    struct State {
        var servers: [String: AuthorizationServer] = [:]
        var scopes: [String: [String: Scope]] = [:]
        var clients: [String: Client] = [:]
        var secretUses: [String: [String: Date]] = [:]
        var keys: [String: SigningKey] = [:]
        var claims: [String: Date] = [:]
        var tokens: [Data: TokenRecord] = [:]
        var links: [LinkKey: Date] = [:]
        var denied: [DenyKey: Date] = [:]
        var events: [Event] = []
        var nextEventID: Int64 = 1
        /// The change feed: the newest version and the entries not yet purged, with when each was written.
        var version: Int64 = 0
        var feed: [(change: ConfigChange, at: Date)] = []
        var leases: [String: (holder: String, until: Date)] = [:]
        var masterKeyCheck: MasterKeyCheckRecord?
        var users: [String: User] = [:]
        var groups: [String: Set<String>] = [:]
        var signInFailures: [String: SignInFailures] = [:]
    }

    struct LinkKey: Hashable { let parentHash: Data, server: String, jti: String }
    struct DenyKey: Hashable { let server: String, jti: String }

    let state = Mutex(State())

    public init() {}

    /// Runs `body` on the state under the lock; when it succeeds and `change` names what it changed, appends
    /// that to the change feed, as the databases' triggers do.
    func write<T>(_ change: (ConfigChange.Kind, String)? = nil, _ body: (inout State) throws(StoreError) -> T) throws(StoreError) -> T {
        try state.withLock { (state: inout State) throws(StoreError) -> T in
            let result = try body(&state)
            if let change { Self.note(change.0, change.1, in: &state) }
            return result
        }
    }

    static func note(_ kind: ConfigChange.Kind, _ key: String, in state: inout State) {
        state.version += 1
        state.feed.append((ConfigChange(version: state.version, kind: kind, key: key), Date()))
    }

    func read<T>(_ body: (State) -> T) -> T { state.withLock { body($0) } }

    /// Adds `value` under `key` in `table`, refusing a key that is there (`what` names it in the error).
    private func insert<Key: Hashable, Value>(_ value: Value, at key: Key, in table: WritableKeyPath<State, [Key: Value]>, _ what: String,
                                              change: (ConfigChange.Kind, String)?) throws(StoreError) {
        try write(change) { state throws(StoreError) in
            guard state[keyPath: table][key] == nil else { throw .alreadyExists(what) }
            state[keyPath: table][key] = value
        }
    }

    /// Replaces the value under `key` in `table`, refusing a key that is not there.
    private func replace<Key: Hashable, Value>(_ value: Value, at key: Key, in table: WritableKeyPath<State, [Key: Value]>, _ what: String,
                                               change: (ConfigChange.Kind, String)) throws(StoreError) {
        try write(change) { state throws(StoreError) in
            guard state[keyPath: table][key] != nil else { throw .notFound(what) }
            state[keyPath: table][key] = value
        }
    }

    // MARK: ServerStore, ScopeStore

    public func createServer(_ server: AuthorizationServer) async throws(StoreError) {
        try insert(server, at: server.name, in: \.servers, "server \(server.name)", change: (.server, server.name))
    }

    public func updateServer(_ server: AuthorizationServer) async throws(StoreError) {
        try replace(server, at: server.name, in: \.servers, "server \(server.name)", change: (.server, server.name))
    }

    public func server(named name: String) async throws(StoreError) -> AuthorizationServer? { read { $0.servers[name] } }

    public func listServers() async throws(StoreError) -> [AuthorizationServer] { read { $0.servers.values.sorted { $0.name < $1.name } } }

    public func serversWithKeyRotation() async throws(StoreError) -> [AuthorizationServer] {
        read { $0.servers.values.filter { $0.keyRotation != nil }.sorted { $0.name < $1.name } }
    }

    public func hasServer(otherThan name: String) async throws(StoreError) -> Bool { read { $0.servers.keys.contains { $0 != name } } }

    public func createScope(_ scope: Scope) async throws(StoreError) {
        try write((.scopes, scope.server)) { state throws(StoreError) in
            guard state.scopes[scope.server]?[scope.name] == nil else { throw .alreadyExists("scope \(scope.name) of \(scope.server)") }
            state.scopes[scope.server, default: [:]][scope.name] = scope
        }
    }

    public func updateScope(_ scope: Scope) async throws(StoreError) {
        try write((.scopes, scope.server)) { state throws(StoreError) in
            guard state.scopes[scope.server]?[scope.name] != nil else { throw .notFound("scope \(scope.name) on server \(scope.server)") }
            state.scopes[scope.server]?[scope.name] = scope
        }
    }

    public func deleteScope(server: String, name: String) async throws(StoreError) {
        try write((.scopes, server)) { state throws(StoreError) in
            guard state.scopes[server]?.removeValue(forKey: name) != nil else { throw .notFound("scope \(name) on server \(server)") }
        }
    }

    public func deleteServer(name: String) async throws(StoreError) -> Bool {
        try write { state throws(StoreError) -> Bool in
            guard state.servers[name] != nil else { throw .notFound("server \(name)") }
            guard !state.clients.values.contains(where: { $0.server == name }) else { return false }
            state.servers[name] = nil
            state.scopes[name] = nil
            state.keys = state.keys.filter { $0.value.server != name }
            for kind in [ConfigChange.Kind.server, .scopes, .keys] { Self.note(kind, name, in: &state) }
            return true
        }
    }

    public func scopes(server: String) async throws(StoreError) -> [Scope] {
        read { ($0.scopes[server] ?? [:]).values.sorted { $0.name < $1.name } }
    }

    // MARK: ClientStore, KeyStore

    public func createClient(_ client: Client) async throws(StoreError) {
        try insert(client, at: client.id, in: \.clients, "client \(client.id)", change: (.client, client.id))
    }

    public func updateClient(_ client: Client) async throws(StoreError) {
        try replace(client, at: client.id, in: \.clients, "client \(client.id)", change: (.client, client.id))
    }

    public func deleteClient(id: String) async throws(StoreError) {
        try write((.client, id)) { state throws(StoreError) in
            guard state.clients.removeValue(forKey: id) != nil else { throw .notFound("client \(id)") }
        }
    }

    public func client(id: String) async throws(StoreError) -> Client? { read { $0.clients[id] } }

    public func listClients(server: String) async throws(StoreError) -> [Client] {
        read { $0.clients.values.filter { $0.server == server }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) } }
    }

    public func recordSecretUses(_ uses: [SecretUse]) async throws(StoreError) {
        // Not a configuration change: the version stays.
        state.withLock { state in
            for use in uses {
                let known = state.secretUses[use.clientID]?[use.secretID] ?? .distantPast
                state.secretUses[use.clientID, default: [:]][use.secretID] = max(known, use.at)
            }
        }
    }

    public func secretUses(clientID: String) async throws(StoreError) -> [String: Date] { read { $0.secretUses[clientID] ?? [:] } }

    public func addKey(_ key: SigningKey) async throws(StoreError) {
        try insert(key, at: key.kid, in: \.keys, "key \(key.kid)", change: (.keys, key.server))
    }

    public func updateKey(_ key: SigningKey) async throws(StoreError) {
        try write((.keys, key.server)) { state throws(StoreError) in
            guard var stored = state.keys[key.kid] else { throw .notFound("key \(key.kid)") }
            stored.active = key.active
            stored.activatesAt = key.activatesAt
            stored.retiresAt = key.retiresAt
            state.keys[key.kid] = stored
        }
    }

    public func keys(server: String) async throws(StoreError) -> [SigningKey] {
        read { $0.keys.values.filter { $0.server == server }.sorted { ($1.createdAt, $0.kid) < ($0.createdAt, $1.kid) } }
    }

    // MARK: ReplayStore

    public func claim(clientID: String, jti: String, expiresAt: Date, now: Date) async throws(StoreError) -> Bool {
        let key = clientID + "\u{0}" + jti
        return state.withLock { state in
            if let held = state.claims[key], held >= now { return false }
            state.claims[key] = expiresAt
            return true
        }
    }

    public func purgeExpired(now: Date) async throws(StoreError) -> Int {
        state.withLock { state in
            let before = state.claims.count
            state.claims = state.claims.filter { $0.value >= now }
            return before - state.claims.count
        }
    }

    // MARK: TokenStore

    public func saveToken(_ record: TokenRecord) async throws(StoreError) {
        try insert(record, at: record.hash, in: \.tokens, "token record", change: nil)
    }

    public func token(hash: Data) async throws(StoreError) -> TokenRecord? { read { $0.tokens[hash] } }

    public func revokeToken(hash: Data, now: Date) async throws(StoreError) -> Bool {
        state.withLock { state in
            for (key, record) in state.tokens where record.parentHash == hash && !record.revoked {
                state.tokens[key]?.revoked = true
                Self.note(.revocation, record.clientID, in: &state)
            }
            for (link, expiry) in state.links where link.parentHash == hash {
                let key = DenyKey(server: link.server, jti: link.jti)
                if state.denied[key] == nil {
                    state.denied[key] = expiry
                    Self.note(.revocation, link.jti, in: &state)
                }
            }
            guard let record = state.tokens[hash] else { return false }
            if !record.revoked {
                state.tokens[hash]?.revoked = true
                Self.note(.revocation, record.clientID, in: &state)
            }
            return true
        }
    }

    public func linkJWT(parentHash: Data, server: String, jti: String, expiresAt: Date) async throws(StoreError) {
        state.withLock { state in
            let key = LinkKey(parentHash: parentHash, server: server, jti: jti)
            if state.links[key] == nil { state.links[key] = expiresAt }
        }
    }

    public func denyJTI(server: String, jti: String, expiresAt: Date) async throws(StoreError) {
        state.withLock { state in
            let key = DenyKey(server: server, jti: jti)
            if state.denied[key] == nil {
                state.denied[key] = expiresAt
                Self.note(.revocation, jti, in: &state)
            }
        }
    }

    public func isDenied(server: String, jti: String) async throws(StoreError) -> Bool { read { $0.denied[DenyKey(server: server, jti: jti)] != nil } }

    public func useToken(hash: Data, clientID: String, at time: Date) async throws(StoreError) -> TokenUse {
        state.withLock { state in
            guard let record = state.tokens[hash] else { return .unknown }
            guard record.clientID == clientID else { return .otherClient(record) }
            if record.usedAt != nil { return .again(record) }
            state.tokens[hash]?.usedAt = time
            return .first(record)
        }
    }

    public func tokens(subject: String, kind: TokenRecord.Kind) async throws(StoreError) -> [TokenRecord] {
        read { state in state.tokens.values.filter { $0.subject == subject && $0.kind == kind }.sorted { $0.issuedAt > $1.issuedAt } }
    }

    public func purgeExpiredTokens(now: Date) async throws(StoreError) -> Int {
        state.withLock { state in
            let before = state.tokens.count + state.links.count + state.denied.count + state.signInFailures.count
            state.tokens = state.tokens.filter { $0.value.expiresAt >= now }
            state.links = state.links.filter { $0.value >= now }
            state.denied = state.denied.filter { $0.value >= now }
            state.signInFailures = state.signInFailures.filter { $0.value.windowStart >= now.addingTimeInterval(-86_400) }
            return before - (state.tokens.count + state.links.count + state.denied.count + state.signInFailures.count)
        }
    }
}
