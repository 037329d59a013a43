import Foundation
import Synchronization

/// The source of the current time for everything that compares against `exp`, `iat` or `nbf`.
///
/// Swift's `Clock` types carry no calendar date, which JWT claims need, so core code takes a
/// `WallClock` and tests pass a `ManualWallClock` instead of sleeping.
public protocol WallClock: Sendable {
    /// The current date.
    var now: Date { get }
}

/// The system's clock: the one place that reads `Date()`.
public struct SystemWallClock: WallClock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that moves only when told to, for tests.
public final class ManualWallClock: WallClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    public var now: Date { current.withLock { $0 } }

    /// Moves the clock forward (or back, with a negative interval).
    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

extension Date {
    /// Whole seconds since 1970, as JWT NumericDate claims carry them.
    public var epochSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
}
