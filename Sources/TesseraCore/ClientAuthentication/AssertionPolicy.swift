import Foundation

/// Limits applied to client assertions.
public struct AssertionPolicy: Sendable {
    /// How far `exp` may lie past `iat` (or now): short-lived assertions limit the damage of a leak.
    public var maxLifetime: TimeInterval
    /// Tolerated difference between the client's clock and ours.
    public var clockSkew: TimeInterval

    public init(maxLifetime: TimeInterval = 300, clockSkew: TimeInterval = 30) {
        self.maxLifetime = maxLifetime
        self.clockSkew = clockSkew
    }
}
