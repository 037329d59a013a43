import Synchronization

/// True for the first caller of `claim()` only: decides which of two racing tasks (work and its
/// deadline) gets to answer.
public final class OnceFlag: Sendable {
    private let claimed = Mutex(false)

    public init() {}

    public func claim() -> Bool {
        claimed.withLock { claimed in
            defer { claimed = true }
            return !claimed
        }
    }
}
