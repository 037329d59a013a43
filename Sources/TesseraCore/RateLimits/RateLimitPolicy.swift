import TesseraStore

/// The deployment's rate limits and lockout rule (`tessera serve` flags): the defaults every server
/// and client start from, and how repeated failed authentications of one client id slow it down.
///
/// Limits are counted by each node in its own memory: with N nodes behind a balancer a client may
/// get up to N times its limit (docs/security.md says why this is the chosen meaning).
public struct RateLimitPolicy: Sendable {
    /// Per client, unless its server or the client itself names another; nil: no per-client limit.
    public var perClient: RateLimit?
    /// Per caller address, whatever it authenticates as; nil: no per-address limit.
    public var perAddress: RateLimit?
    /// Failed authentications of one client id from one address, within `failureWindow` seconds, that
    /// lock that client id for that address; 0 turns lockout off.
    public var lockoutThreshold: Int
    /// How far back failures count, in seconds.
    public var failureWindow: Double
    /// The first lock, in seconds; each further lock of the same client id and address doubles it.
    public var lockoutDuration: Double
    /// The longest lock, in seconds.
    public var maximumLockout: Double
    /// How many addresses, clients and failure records each table holds at most (memory stays bounded
    /// under a flood of made-up addresses or client ids; the least recently seen go first).
    public var trackedEntries: Int

    public init(perClient: RateLimit? = RateLimit(requests: 500, period: 1), perAddress: RateLimit? = RateLimit(requests: 2000, period: 1),
                lockoutThreshold: Int = 20, failureWindow: Double = 300, lockoutDuration: Double = 60, maximumLockout: Double = 900,
                trackedEntries: Int = 100_000) {
        self.perClient = perClient
        self.perAddress = perAddress
        self.lockoutThreshold = lockoutThreshold
        self.failureWindow = failureWindow
        self.lockoutDuration = lockoutDuration
        self.maximumLockout = maximumLockout
        self.trackedEntries = trackedEntries
    }

    /// No limits and no lockout.
    public static let unlimited = RateLimitPolicy(perClient: nil, perAddress: nil, lockoutThreshold: 0)
}
