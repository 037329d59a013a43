import Foundation
import Synchronization
import TesseraStore

/// Notes when each client secret last authenticated, writing to the store at most once a minute per
/// secret and off the request's path, so the hot path stays a read (a write per request would double
/// the work of a token request). Due uses are written in batches: one drain writes what is pending, and
/// what comes due meanwhile goes into its next batch — 10,000 clients are 10,000 uses a minute, which one
/// transaction each made a burst of 10,000 commits whenever their minutes came due together.
final class SecretUseRecorder: Sendable {
    static let interval: TimeInterval = 60
    private let clients: any ClientStore
    private let clock: any WallClock
    private let written = Mutex(BoundedTable<String, Double>(capacity: 100_000))
    private let queue = Mutex(Queue())
    /// Batches written so far (the tests check that a burst is a few batches, not one write per use).
    let batchesWritten = Atomic<Int>(0)

    private struct Queue {
        var pending: [SecretUse] = []
        /// The drain writing batches, nil while nothing is pending.
        var draining: Task<Void, Never>?
    }

    init(clients: any ClientStore, clock: any WallClock) {
        self.clients = clients
        self.clock = clock
    }

    /// Records that `secretID` of `clientID` authenticated now, unless it was recorded within the minute.
    func note(clientID: String, secretID: String) {
        let now = clock.now
        let key = clientID + "\u{0}" + secretID
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

    /// Writes batches until nothing is pending (a failed batch is dropped: last uses are a hint, and the
    /// next use of each secret a minute later writes it again).
    private func drain() async {
        while true {
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
