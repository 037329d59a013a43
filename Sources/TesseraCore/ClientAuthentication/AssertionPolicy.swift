import Foundation

/// Limits applied to client assertions.
public struct AssertionPolicy: Sendable {
    /// How far `exp` may lie past `iat` (or now), unless the server sets its own
    /// (`AuthorizationServer.maxAssertionLifetime`). An hour by default, what standard client libraries
    /// sign (authlib: `exp = iat + 3600`) and what Okta accepts; a replay is refused however long the
    /// lifetime, since each `jti` is kept until its assertion's `exp` — a longer lifetime costs memory.
    public var maxLifetime: TimeInterval
    /// Tolerated difference between the client's clock and ours.
    public var clockSkew: TimeInterval

    public init(maxLifetime: TimeInterval = 3600, clockSkew: TimeInterval = 30) {
        self.maxLifetime = maxLifetime
        self.clockSkew = clockSkew
    }
}
