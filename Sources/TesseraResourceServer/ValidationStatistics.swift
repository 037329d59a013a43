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

    private let counters = MutexBox(Snapshot())

    public var snapshot: Snapshot { counters.value }

    func count(_ field: WritableKeyPath<Snapshot, Int>) {
        counters.withLock { $0[keyPath: field] += 1 }
    }
}
