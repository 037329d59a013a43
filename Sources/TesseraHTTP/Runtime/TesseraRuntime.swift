import Foundation
import Logging
import Synchronization
import TesseraCore
import TesseraStore

/// The wired core of one node, built once at start: the core endpoints the routes call (one per
/// endpoint; a route reaches nothing else of the core), the directory cache, the event queue and the
/// metrics, and the background work (cache refresh, event writing, purges). The parts the endpoints
/// are wired from stay internal.
public final class TesseraRuntime: Sendable {
    public let settings: TesseraSettings
    public let directory: Directory
    public let clock: any WallClock
    public let events: EventQueue
    public let metrics: TesseraMetrics

    public let tokens: TokenEndpoint
    public let introspection: IntrospectionEndpoint
    public let revocation: RevocationEndpoint
    public let discovery: DiscoveryEndpoint
    public let keys: KeysEndpoint
    public let authorization: AuthorizationEndpoint
    public let signIn: SignIn
    public let userinfo: UserinfoEndpoint
    public let logout: LogoutEndpoint
    public let passwords: PasswordHasher
    public let management: ManagementAPI

    let stores: Stores
    let authenticator: ClientAuthenticator
    let keySource: ClientKeySource
    let verifier: TokenVerifier
    let introspector: Introspector
    let revoker: Revoker
    let bearer: BearerCaller
    let limiter: RateLimiter
    private let reportedDrops = Mutex(0)

    public init(stores: Stores, masterKey: MasterKey, settings: TesseraSettings, clock: any WallClock = SystemWallClock(),
                jwksFetcher: (any JWKSFetcher)? = HTTPJWKSFetcher(), metrics: TesseraMetrics = TesseraMetrics(), eventQueueCapacity: Int = 10_000) {
        self.settings = settings
        self.metrics = metrics
        events = EventQueue(capacity: eventQueueCapacity)
        self.stores = stores
        self.clock = clock
        directory = Directory(stores: stores, masterKey: masterKey, clock: clock, limits: settings.cacheLimits)
        keySource = ClientKeySource(fetcher: jwksFetcher, clock: clock)
        let assertions = ClientAssertionVerifier(keySource: keySource, replays: stores.replays, masterKey: masterKey, clock: clock, policy: settings.assertionPolicy)
        limiter = RateLimiter(policy: settings.rateLimits, clock: clock)
        authenticator = ClientAuthenticator(directory: directory, assertions: assertions, publicURL: settings.publicURL, limiter: limiter)
        let issuer = AccessTokenIssuer(directory: directory, clock: clock, publicURL: settings.publicURL)
        let verifier = TokenVerifier(directory: directory, tokens: stores.tokens, clock: clock, publicURL: settings.publicURL)
        self.verifier = verifier
        let userGrants = UserGrantParts(directory: directory, issuer: issuer, clock: clock, revoked: { verifier.revocationHappened() })
        tokens = TokenEndpoint(authenticator: authenticator, grants: [
            ClientCredentialsGrant(directory: directory, issuer: issuer),
            AuthorizationCodeGrant(userGrants),
            RefreshTokenGrant(userGrants),
        ])
        introspector = Introspector(verifier: verifier)
        revoker = Revoker(verifier: verifier, tokens: stores.tokens, clock: clock)
        bearer = BearerCaller(verifier: verifier, directory: directory)
        introspection = IntrospectionEndpoint(authenticator: authenticator, bearer: bearer, introspector: introspector,
                                              issuer: issuer)
        revocation = RevocationEndpoint(authenticator: authenticator, revoker: revoker)
        discovery = DiscoveryEndpoint(directory: directory, publicURL: settings.publicURL, grantTypes: tokens.grantTypes,
                                      capacity: settings.cacheLimits.servers)
        keys = KeysEndpoint(directory: directory)
        authorization = AuthorizationEndpoint(directory: directory, clock: clock, publicURL: settings.publicURL)
        passwords = PasswordHasher(parameters: settings.passwordParameters)
        signIn = SignIn(users: stores.users, tokens: stores.tokens, hasher: passwords, throttle: SignInThrottle(users: stores.users, policy: settings.signInPolicy),
                        clock: clock, sessionLifetime: settings.sessionLifetime)
        userinfo = UserinfoEndpoint(verifier: verifier, directory: directory)
        logout = LogoutEndpoint(directory: directory, signIn: signIn, publicURL: settings.publicURL)
        management = ManagementAPI(administration: Administration(stores: stores, masterKey: masterKey, clock: clock), directory: directory,
                                   verifier: verifier, passwords: passwords)
    }

    /// Drops from the caches what the change feed says changed (everything when the feed has a hole);
    /// a revocation or a change of keys drops the verified-token cache. Returns whether anything was dropped.
    @discardableResult
    public func refreshCaches() async throws -> Bool {
        let refresh = try await directory.refreshIfChanged()
        if refresh.verifiedTokensStale { verifier.invalidateAll() }
        return refresh.changed
    }

    /// Writes queued events to the event log and updates the queue metrics; returns how many were queued.
    @discardableResult
    public func flushEvents() async throws -> Int {
        let queued = events.depth
        defer {
            metrics.eventQueue(depth: events.depth)
            let dropped = events.dropped
            metrics.eventsDropped(reportedDrops.withLock { reported in
                defer { reported = dropped }
                return dropped - reported
            })
        }
        try await events.flush(to: stores.events)
        metrics.eventsWritten(queued)
        return queued
    }

    /// Queues the event of a request that `ConnectionGuard` refused before it reached a route.
    func recordFramingRejection(_ rejection: FramingRejection) {
        metrics.request(endpoint: "http", outcome: "failure", duration: .zero)
        events.record(Event(
            time: clock.now, requestID: rejection.requestID, server: nil, endpoint: "http", clientID: nil, outcome: .failure,
            reason: rejection.error.reason.rawValue, message: rejection.error.description, detail: rejection.error.detail,
            remoteAddress: rejection.remoteAddress))
    }

    /// Deletes events older than `retention` and, with `settings.eventLog.maxEvents`, the oldest beyond
    /// that many, in batches of `batch` with `pause` between them so the event writer and requests are
    /// never held up long (SQLite has one writer at a time); returns how many went.
    @discardableResult
    public func purgeEvents(olderThan retention: Duration, batch: Int = 5_000, pause: Duration = .milliseconds(20)) async throws -> Int {
        let cutoff = clock.now.addingTimeInterval(-TimeInterval(retention.components.seconds))
        var total = 0
        while true {
            let gone = try await stores.events.purgeEvents(before: cutoff, limit: batch)
            total += gone
            guard gone == batch else { break }
            try await Task.sleep(for: pause)
        }
        if let maxEvents = settings.eventLog.maxEvents {
            while true {
                let gone = try await stores.events.purgeEvents(keepingNewest: maxEvents, limit: batch)
                total += gone
                guard gone == batch else { break }
                try await Task.sleep(for: pause)
            }
        }
        return total
    }

    /// Marks the request as one to an OAuth `endpoint` (it will leave an event) and resolves the
    /// server named in its path.
    func beginRequest(_ context: TesseraRequestContext, endpoint: String) async throws(OAuthError) -> AuthorizationServer {
        let name = context.parameters.get("server") ?? ""
        context.event.begin(endpoint: endpoint, server: name)
        return try await server(named: name)
    }

    /// The server named in the URL, or a 404 naming it.
    func server(named name: String) async throws(OAuthError) -> AuthorizationServer {
        let found: AuthorizationServer? = try await storeCall("loading the authorization server") { () throws(StoreError) in try await directory.server(named: name) }
        guard let server = found else {
            throw OAuthError(.notFound, .requestUnknownServer, "there is no authorization server \(quoted(name)) in this deployment")
        }
        return server
    }
}
