import Foundation

/// The system's clock: the one place that reads `Date()`.
public struct SystemWallClock: WallClock {
    public init() {}
    public var now: Date { Date() }
}
