import Foundation
import Synchronization
import TesseraStore

/// Notes when each client secret last authenticated, writing to the store at most once a minute per
/// secret and off the request's path, so the hot path stays a read (a write per request would double
/// the work of a token request). Due uses are written in batches, at most one per `batchWindow`: 10,000
/// clients are 10,000 uses a minute. One transaction each made a burst of 10,000 commits whenever their
/// minutes came due together; draining whatever was pending as soon as the last write ended still made
/// batches of two or three uses — measured on SQLite with 10,000 callers: about 300 extra commits a second
/// for 12 s of every minute, and introspection 15–25 % slower meanwhile. Waiting a window first makes
/// them a few batches of hundreds.
final class SecretUseRecorder: Sendable {
    static let interval: TimeInterval = 60
    private let clients: any ClientStore
    private let clock: any WallClock
    private let beforeEachBatch: @Sendable () async -> Void
    private let written = Mutex(BoundedTable<UseKey, Double>(capacity: 100_000))
    private let queue = Mutex(Queue())
    /// Batches written so far (the tests check that a burst is a few batches, not one write per use).
    let batchesWritten = Atomic<Int>(0)

    private struct Queue {
        var pending: [SecretUse] = []
        /// The drain writing batches, nil while nothing is pending.
        var draining: Task<Void, Never>?
    }

    /// A secret of a client, without building one string of both per request.
    private struct UseKey: Hashable, Sendable {
        let clientID: String
        let secretID: String
    }

    /// `beforeEachBatch`: how a drain collects uses coming due before each write; nil: for 250 ms (real
    /// time: it only spaces writes; `flush()` waits for them). Tests pass a gate they open.
    init(clients: any ClientStore, clock: any WallClock, beforeEachBatch: (@Sendable () async -> Void)? = nil) {
        self.clients = clients
        self.clock = clock
        self.beforeEachBatch = beforeEachBatch ?? { try? await Task.sleep(for: .milliseconds(250)) }
    }

    /// Records that `secretID` of `clientID` authenticated now, unless it was recorded within the minute.
    func note(clientID: String, secretID: String) {
        let now = clock.now
        let key = UseKey(clientID: clientID, secretID: secretID)
        let due = written.withLock { table -> Bool in
            if let last = table.value(for: key), now.timeIntervalSince1970 - last < Self.interval { return false }
            table.set(now.timeIntervalSince1970, for: key)
            return true
        }
        guard due else { return }
        queue.withLock { queue in
            queue.pending.append(SecretUse(clientID: clientID, secretID: secretID, at: now))
            if queue.draining == nil { queue.draining = Task { await drain() } }
        }
    }

    /// Writes batches, each after a window of collecting, until nothing is pending (a failed batch is
    /// dropped: last uses are a hint, and the next use of each secret a minute later writes it again).
    private func drain() async {
        while true {
            await beforeEachBatch()
            let batch = queue.withLock { queue -> [SecretUse] in
                defer { queue.pending = [] }
                if queue.pending.isEmpty { queue.draining = nil }
                return queue.pending
            }
            guard !batch.isEmpty else { return }
            try? await clients.recordSecretUses(batch)
            batchesWritten.add(1, ordering: .relaxed)
        }
    }

    /// Returns once every use noted so far is written (for a clean stop, and for tests to wait on the
    /// writes instead of on time).
    func flush() async {
        while let draining = queue.withLock({ $0.draining }) { await draining.value }
    }
}
