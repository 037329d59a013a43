import Synchronization

/// Counters of the validator's caches, for tests and for an API's own metrics.
public final class ValidationStatistics: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var localHits = 0
        public var localMisses = 0
        public var introspectionHits = 0
        public var introspectionMisses = 0
        public var introspectionCalls = 0
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
