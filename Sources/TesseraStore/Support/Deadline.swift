import Synchronization

/// Runs `body`, but answers at `deadline` at the latest with `onTimeout()`: work stuck on a dead
/// connection must not hold a request or a shutdown forever. The late body is cancelled and left to
/// finish on its own. Two tasks per call: the work and its timer, each cancelling the other.
public func withDeadline<Value: Sendable>(_ deadline: Duration, onTimeout: @escaping @Sendable () -> any Error,
                                          _ body: @escaping @Sendable () async throws -> Value) async throws -> Value {
    let answered = OnceFlag()
    let work = TaskHandle()
    let timer = TaskHandle()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
            work.start(Task {
                let outcome: Result<Value, any Error>
                do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
                timer.cancel()
                if answered.claim() { continuation.resume(with: outcome) }
            })
            timer.start(Task {
                try? await Task.sleep(for: deadline)
                guard !Task.isCancelled, answered.claim() else { return }
                work.cancel()
                continuation.resume(throwing: onTimeout())
            })
        }
    } onCancel: {
        work.cancel()
    }
}

/// True for the first caller of `claim()` only: decides which of the work and its timer answers.
final class OnceFlag: Sendable {
    private let claimed = Mutex(false)

    func claim() -> Bool {
        claimed.withLock { claimed in
            defer { claimed = true }
            return !claimed
        }
    }
}

/// A task that may be cancelled before it is started (then it is cancelled as soon as it starts).
final class TaskHandle: Sendable {
    private let state = Mutex<(task: Task<Void, Never>?, cancelled: Bool)>((nil, false))

    func start(_ task: Task<Void, Never>) {
        let cancelNow = state.withLock { state in
            state.task = task
            return state.cancelled
        }
        if cancelNow { task.cancel() }
    }

    func cancel() {
        let task = state.withLock { state in
            state.cancelled = true
            return state.task
        }
        task?.cancel()
    }
}
