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

    private let counters = MutexBox(Snapshot())

    public var snapshot: Snapshot { counters.value }

    func count(_ event: Event) {
        counters.withLock { counters in
            switch event {
            case .localHit: counters.localHits += 1
            case .localMiss: counters.localMisses += 1
            case .introspectionHit: counters.introspectionHits += 1
            case .introspectionMiss: counters.introspectionMisses += 1
            case .introspectionCall: counters.introspectionCalls += 1
            case .coalesced: counters.coalesced += 1
            }
        }
    }
}
