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

extension Date {
    /// Whole seconds since 1970, as JWT NumericDate claims carry them.
    public var epochSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
}
