import Synchronization

/// Counters of the validator's caches, for tests and for an API's own metrics.
public final class ValidationStatistics: Sendable {
    /// The counters at one moment.
    public struct Snapshot: Sendable, Equatable {
        /// Local validations answered from the verified-token cache.
        public var localHits = 0
        /// Local validations that parsed and verified the token.
        public var localMisses = 0
        /// Introspections answered from the answer cache.
        public var introspectionHits = 0
        /// Introspections not in the cache (a call was made or joined).
        public var introspectionMisses = 0
        /// Calls made to the introspection endpoint.
        public var introspectionCalls = 0
        /// Introspections that joined a call already running for the same token.
        public var coalesced = 0
    }

    /// What to count; a switch, not a key path, because counting sits on the cached fast path.
    enum Event {
        case localHit, localMiss, introspectionHit, introspectionMiss, introspectionCall, coalesced
    }

    private let localHits = Atomic(0)
    private let localMisses = Atomic(0)
    private let introspectionHits = Atomic(0)
    private let introspectionMisses = Atomic(0)
    private let introspectionCalls = Atomic(0)
    private let coalesced = Atomic(0)

    /// The counters now (each read atomically; together they are not one transaction).
    public var snapshot: Snapshot {
        Snapshot(localHits: localHits.load(ordering: .relaxed), localMisses: localMisses.load(ordering: .relaxed),
                 introspectionHits: introspectionHits.load(ordering: .relaxed), introspectionMisses: introspectionMisses.load(ordering: .relaxed),
                 introspectionCalls: introspectionCalls.load(ordering: .relaxed), coalesced: coalesced.load(ordering: .relaxed))
    }

    /// Lock-free: counting sits on the cached fast path.
    func count(_ event: Event) {
        switch event {
        case .localHit: localHits.wrappingAdd(1, ordering: .relaxed)
        case .localMiss: localMisses.wrappingAdd(1, ordering: .relaxed)
        case .introspectionHit: introspectionHits.wrappingAdd(1, ordering: .relaxed)
        case .introspectionMiss: introspectionMisses.wrappingAdd(1, ordering: .relaxed)
        case .introspectionCall: introspectionCalls.wrappingAdd(1, ordering: .relaxed)
        case .coalesced: coalesced.wrappingAdd(1, ordering: .relaxed)
        }
    }
}
