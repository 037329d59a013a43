import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import TesseraCore
import TesseraHTTP
import TesseraSQLite
import TesseraStore
import TesseraJSON

/// A real deployment for one test: a fresh SQLite file in a temporary directory, a master key, a
/// manual clock, and the full router (driven through Hummingbird's test client).
final class TestDeployment: Sendable {
    static let publicURL = "http://tessera.test"

    let directory: URL
    let store: SQLiteStore
    let masterKey: MasterKey
    let clock: ManualWallClock
    let runtime: TesseraRuntime
    let publicURL: String

    var stores: Stores { Stores(store) }
    var admin: Administration { Administration(stores: stores, masterKey: masterKey, clock: clock) }
    var defaultURLs: IssuerURLs { IssuerURLs(publicURL: publicURL, server: "default") }

    private init(directory: URL, store: SQLiteStore, masterKey: MasterKey, clock: ManualWallClock, runtime: TesseraRuntime, publicURL: String) {
        self.publicURL = publicURL
        self.directory = directory
        self.store = store
        self.masterKey = masterKey
        self.clock = clock
        self.runtime = runtime
    }

    /// Runs `body` with a fresh deployment (with server `default` and scopes orders.read/orders.write)
    /// and removes it afterwards.
    static func with<T>(fetcher: (any JWKSFetcher)? = HTTPJWKSFetcher(policy: .development), eventQueueCapacity: Int = 10_000, publicURL: String = TestDeployment.publicURL,
                        rateLimits: RateLimitPolicy = .unlimited, trustedProxies: [IPNetwork] = [], cacheLimits: CacheLimits = CacheLimits(),
                        eventLog: EventLogPolicy = EventLogPolicy(), _ body: (TestDeployment) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try await SQLiteStore.open(path: directory.appendingPathComponent("tessera.sqlite").path)
        let (masterKey, encodedKey) = MasterKey.generate()
        // Beside the database, as `serve` keeps it, so CLI commands run on the directory open it with the same key.
        try Data((encodedKey + "\n").utf8).write(to: directory.appendingPathComponent("master.key"))
        let clock = ManualWallClock(Date())
        let runtime = TesseraRuntime(stores: Stores(store), masterKey: masterKey, settings: TesseraSettings(publicURL: publicURL, rateLimits: rateLimits, trustedProxies: trustedProxies,
                                                                                                     cacheLimits: cacheLimits, eventLog: eventLog, passwordParameters: .fastForTests), clock: clock,
                                     jwksFetcher: fetcher, eventQueueCapacity: eventQueueCapacity)
        let deployment = TestDeployment(directory: directory, store: store, masterKey: masterKey, clock: clock, runtime: runtime, publicURL: publicURL)
        do {
            _ = try await deployment.admin.bootstrapDefaultServer()
            _ = try await deployment.admin.createScope(server: "default", name: "orders.read", description: nil)
            _ = try await deployment.admin.createScope(server: "default", name: "orders.write", description: nil)
            let result = try await body(deployment)
            await deployment.close()
            return result
        } catch {
            await deployment.close()
            throw error
        }
    }

    /// Writes queued events to the database (the server does this every 100 ms).
    func events(_ query: EventQuery = EventQuery(limit: 1000)) async throws -> [Event] {
        try await runtime.flushEvents()
        return try await stores.events.events(matching: query)
    }

    func close() async {
        await store.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Drives the real router through Hummingbird's router test framework.
    func http<T: Sendable>(_ body: @Sendable (HTTPDriver) async throws -> T) async throws -> T {
        var logger = Logger(label: "tessera.test")
        logger.logLevel = .critical
        let app = Application(router: TesseraApplication.router(runtime: runtime, logger: logger), logger: logger)
        return try await app.test(.router) { client in try await body(HTTPDriver(client: client)) }
    }

    // MARK: Registration helpers

    /// A registered client and whatever it authenticates with.
    struct RegisteredClient: Sendable {
        let id: String
        let secret: String?
        let key: ClientKeyPair?
        var method: ClientAuthMethod = .clientSecretPost
    }

    func register(_ method: ClientAuthMethod, server: String = "default", scopes: [String] = ["orders.read", "orders.write"],
                  claims: [String: JSONValue] = [:], algorithm: ClientKeyPair.Algorithm = .es256) async throws -> RegisteredClient {
        var key: ClientKeyPair?
        var jwks: String?
        if method == .privateKeyJWT {
            let pair = try ClientKeyPair.generate(algorithm)
            key = pair
            jwks = pair.jwksDocument()
        }
        let created = try await admin.createClient(server: server, name: "test \(method.rawValue)", method: method, jwks: jwks, scopes: scopes, claims: claims)
        return RegisteredClient(id: created.client.id, secret: created.secret, key: key, method: method)
    }

    /// Claims of a valid assertion for `client` aimed at `audience` (default: the token endpoint), at the test clock's now.
    func claims(for clientID: String, audience: String? = nil) -> AssertionClaims {
        ClientKeyPair.assertionClaims(clientID: clientID, audience: audience ?? defaultURLs.tokenEndpoint, lifetime: 60, now: clock.now)
    }
}
