import Synchronization

/// Rows that must be durable before their callers go on, written in groups (group commit).
///
/// A row that arrives while a write is running waits for the next write, which inserts everything
/// waiting with one statement and one commit; each caller resumes once its own row is committed, or
/// with the write's error. A row arriving while nothing is written starts a write at once (no timer,
/// no added latency). Used for the assertion claim log, one row per private_key_jwt token request.
final class GroupCommit<Row: Sendable>: Sendable {
    /// Writes a group of rows in one statement and one commit.
    typealias Write = @Sendable (_ rows: [Row]) async throws -> Void

    private struct Waiting {
        var row: Row
        var done: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var writing = false
    }

    /// At most this many rows per statement.
    let groupLimit: Int
    private let state = Mutex(State())

    init(groupLimit: Int) {
        self.groupLimit = groupLimit
    }

    /// Returns once `row` is written. The caller that finds no write running lends its `write` to the
    /// groups that follow until nothing waits.
    func write(_ row: Row, with write: @escaping Write) async throws {
        try await withCheckedThrowingContinuation { done in
            let startWriting = state.withLock { state in
                state.waiting.append(Waiting(row: row, done: done))
                if state.writing { return false }
                state.writing = true
                return true
            }
            if startWriting { Task { await self.writeWaitingGroups(write) } }
        }
    }

    /// Writes what is waiting, group after group, until nothing is.
    private func writeWaitingGroups(_ write: Write) async {
        while true {
            let group = state.withLock { state -> [Waiting] in
                let count = min(state.waiting.count, groupLimit)
                let group = Array(state.waiting.prefix(count))
                state.waiting.removeFirst(count)
                if group.isEmpty { state.writing = false }
                return group
            }
            if group.isEmpty { return }
            do {
                try await write(group.map(\.row))
                for waiting in group { waiting.done.resume() }
            } catch {
                for waiting in group { waiting.done.resume(throwing: error) }
            }
        }
    }
}
