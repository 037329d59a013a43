import TesseraCore

/// Settings of a running node that the routes and the core need.
public struct TesseraSettings: Sendable {
    /// The base of every issuer URL (`--public-url`).
    public var publicURL: String
    public var assertionPolicy: AssertionPolicy
    /// `max-age` of the JWKS response.
    public var jwksMaxAge: Int
    /// Rate limits and lockout. `tessera serve` turns them on with its defaults (`RateLimitPolicy()`);
    /// a node built in code without naming them has none.
    public var rateLimits: RateLimitPolicy
    /// The proxies whose forwarding headers name the caller's address (`--trusted-proxy`).
    public var trustedProxies: [IPNetwork]
    /// How many clients and servers the node caches (`--cache-clients`, `--cache-servers`).
    public var cacheLimits: CacheLimits
    /// What the event log keeps (`--event-log-max-events`, `--event-success-sample`).
    public var eventLog: EventLogPolicy
    /// The scrypt cost of new password hashes (`--password-cost`).
    public var passwordParameters: PasswordHasher.Parameters
    /// Failed sign-ins before a lock, and the window (docs/security.md).
    public var signInPolicy: SignInThrottle.Policy
    /// How long a browser stays signed in (`--session-lifetime`).
    public var sessionLifetime: Double
    /// The product name on the sign-in pages (`--product-name`).
    public var productName: String

    public init(publicURL: String, assertionPolicy: AssertionPolicy = AssertionPolicy(), jwksMaxAge: Int = 300,
                rateLimits: RateLimitPolicy = .unlimited, trustedProxies: [IPNetwork] = [], cacheLimits: CacheLimits = CacheLimits(),
                eventLog: EventLogPolicy = EventLogPolicy(), passwordParameters: PasswordHasher.Parameters = .standard,
                signInPolicy: SignInThrottle.Policy = .standard, sessionLifetime: Double = 12 * 3600, productName: String = "Tessera") {
        self.passwordParameters = passwordParameters
        self.signInPolicy = signInPolicy
        self.sessionLifetime = sessionLifetime
        self.productName = productName
        self.cacheLimits = cacheLimits
        self.eventLog = eventLog
        self.publicURL = publicURL
        self.assertionPolicy = assertionPolicy
        self.jwksMaxAge = jwksMaxAge
        self.rateLimits = rateLimits
        self.trustedProxies = trustedProxies
    }
}
