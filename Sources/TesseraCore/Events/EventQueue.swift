import Synchronization
import TesseraStore

/// The bounded in-memory queue between request handling and the event log.
///
/// Recording never waits and never fails: when the queue is full the event is counted as dropped and
/// the request goes on. A background writer drains the queue in batches into the store.
public final class EventQueue: Sendable {
    private struct State {
        var pending: [Event] = []
        var dropped: Int = 0
    }

    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// Queues an event; returns false (and counts a drop) when the queue is full.
    @discardableResult
    public func record(_ event: Event) -> Bool {
        state.withLock { state in
            guard state.pending.count < capacity else {
                state.dropped += 1
                return false
            }
            state.pending.append(event)
            return true
        }
    }

    /// Takes up to `max` queued events, oldest first.
    public func take(max: Int = 1_000) -> [Event] {
        state.withLock { state in
            // The usual case takes the whole queue: hand the array over instead of copying every event.
            guard state.pending.count > max else {
                defer { state.pending = [] }
                return state.pending
            }
            let batch = Array(state.pending.prefix(max))
            state.pending.removeFirst(batch.count)
            return batch
        }
    }

    /// Puts events back at the front after a failed write, keeping within capacity (the overflow is dropped).
    public func putBack(_ events: [Event]) {
        state.withLock { state in
            let room = max(0, capacity - state.pending.count)
            state.dropped += max(0, events.count - room)
            state.pending.insert(contentsOf: events.prefix(room), at: 0)
        }
    }

    public var depth: Int { state.withLock { $0.pending.count } }
    public var dropped: Int { state.withLock { $0.dropped } }

    /// Writes everything queued to `log`; on failure the events go back for the next attempt.
    public func flush(to log: any EventLog) async throws {
        while true {
            let batch = take()
            if batch.isEmpty { return }
            do {
                try await log.appendEvents(batch)
            } catch {
                putBack(batch)
                throw error
            }
        }
    }
}
