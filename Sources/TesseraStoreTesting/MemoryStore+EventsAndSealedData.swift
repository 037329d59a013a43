import Foundation
import TesseraStore

/// The event log, the change feed, leases and the data sealed under the master key, in memory.
extension MemoryStore {
    // MARK: EventLog, ChangeSignal

    public func appendEvents(_ events: [Event]) async throws(StoreError) {
        state.withLock { state in
            for var event in events {
                event.id = state.nextEventID
                state.nextEventID += 1
                state.events.append(event)
            }
        }
    }

    public func events(matching query: EventQuery) async throws(StoreError) -> [Event] {
        read { state in
            let matching = state.events.filter { event in
                (query.server.map { event.server == $0 } ?? true) && (query.clientID.map { event.clientID == $0 } ?? true)
                    && (query.requestID.map { event.requestID == $0 } ?? true) && (query.outcome.map { event.outcome == $0 } ?? true)
                    && (query.reason.map { event.reason == $0 } ?? true) && (query.since.map { event.time >= $0 } ?? true)
                    && (query.afterID.map { (event.id ?? 0) > $0 } ?? true) && (query.beforeID.map { (event.id ?? 0) < $0 } ?? true)
            }
            return Array(matching.suffix(max(1, min(query.limit, 100_000))))
        }
    }

    public func purgeEvents(before cutoff: Date, limit: Int) async throws(StoreError) -> Int {
        state.withLock { state in
            // Events are kept in id order: the first ones removed are the oldest.
            var removed = 0
            state.events.removeAll { event in
                guard removed < limit, event.time < cutoff else { return false }
                removed += 1
                return true
            }
            return removed
        }
    }

    public func purgeEvents(keepingNewest keeping: Int, limit: Int) async throws(StoreError) -> Int {
        state.withLock { state in
            guard let newest = state.events.last?.id else { return 0 }
            var removed = 0
            state.events.removeAll { event in
                guard removed < limit, let id = event.id, id <= newest - Int64(keeping) else { return false }
                removed += 1
                return true
            }
            return removed
        }
    }

    public func changeVersion() async throws(StoreError) -> Int64 { read { $0.version } }

    public func changes(after version: Int64, limit: Int) async throws(StoreError) -> [ConfigChange] {
        read { Array($0.feed.lazy.map(\.change).filter { $0.version > version }.prefix(limit)) }
    }

    public func purgeChanges(before cutoff: Date) async throws(StoreError) -> Int {
        state.withLock { state in
            let before = state.feed.count
            state.feed.removeAll { $0.at < cutoff }
            return before - state.feed.count
        }
    }

    // MARK: LeaseStore

    public func acquireLease(_ name: String, holder: String, until: Date, now: Date) async throws(StoreError) -> Bool {
        state.withLock { state in
            if let lease = state.leases[name], lease.holder != holder, lease.until > now { return false }
            state.leases[name] = (holder, until)
            return true
        }
    }

    // MARK: SealedDataStore

    public func masterKeyCheck() async throws(StoreError) -> MasterKeyCheckRecord? { read { $0.masterKeyCheck } }

    public func recordMasterKeyCheck(_ sealed: Data, at time: Date) async throws(StoreError) -> MasterKeyCheckRecord {
        state.withLock { state in
            if let recorded = state.masterKeyCheck { return recorded }
            state.masterKeyCheck = MasterKeyCheckRecord(sealed: sealed, changedAt: time)
            return state.masterKeyCheck!
        }
    }

    public func sealedSample() async throws(StoreError) -> Data? {
        read { $0.keys.values.min { $0.kid < $1.kid }?.encryptedPrivateKey }
    }

    public func resealAll(check: Data, at time: Date, _ reseal: @escaping @Sendable (Data) -> Data?) async throws(StoreError) -> ResealCount? {
        try write { state throws(StoreError) in
            var resealed = state
            var count = ResealCount(signingKeys: 0, clientSecrets: 0)
            for (kid, var key) in state.keys {
                guard let box = reseal(key.encryptedPrivateKey) else { return nil }
                key.encryptedPrivateKey = box
                resealed.keys[kid] = key
                count.signingKeys += 1
                Self.note(.keys, key.server, in: &resealed)
            }
            for (id, var client) in state.clients {
                guard let secrets = client.secrets.resealed(reseal) else { return nil }
                guard secrets.count > 0 else { continue }
                client.secrets = secrets.entries
                count.clientSecrets += secrets.count
                resealed.clients[id] = client
                Self.note(.client, id, in: &resealed)
            }
            resealed.masterKeyCheck = MasterKeyCheckRecord(sealed: check, changedAt: time)
            state = resealed
            return count
        }
    }
}
