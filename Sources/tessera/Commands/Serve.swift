import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TesseraCore
import TesseraHTTP
import TesseraSQLite

/// `tessera serve`: runs the server until SIGINT/SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the authorization server (SQLite in --data-dir, or PostgreSQL with --database).")

    @Option(help: "Address to listen on (env TESSERA_HOST; default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (env TESSERA_PORT; default 8080).") var port: Int?
    @Option(name: .customLong("public-url"), help: "Base URL of every issuer (env TESSERA_PUBLIC_URL; default http://HOST:PORT).") var publicURL: String?
    @Option(name: .customLong("event-retention"), help: "How long to keep events, e.g. 30d, 12h, 90m (env TESSERA_EVENT_RETENTION; default 30d).") var eventRetention: String?
    @Option(name: .customLong("idle-timeout"), help: "Close a connection that sends no complete request head for this long, e.g. 30s (env TESSERA_IDLE_TIMEOUT; default 30s).")
    var idleTimeout: String?
    @Option(name: .customLong("request-timeout"), help: "Close a connection whose request (head to end of body) takes longer, e.g. 15s (env TESSERA_REQUEST_TIMEOUT; default 15s).")
    var requestTimeout: String?
    @Flag(name: .customLong("allow-http-jwks-uri"), help: "Fetch http:// jwks_uri documents too (development only; env TESSERA_ALLOW_HTTP_JWKS_URI=1).")
    var allowHTTPJWKSURI = false
    @Flag(name: .customLong("allow-private-jwks-uri"), help: "Fetch jwks_uri documents from loopback, link-local and private addresses (development only; env TESSERA_ALLOW_PRIVATE_JWKS_URI=1).")
    var allowPrivateJWKSURI = false
    @Flag(name: .customLong("no-migrate"), help: "Do not apply database migrations at start; refuse to start when the schema is behind (run `tessera migrate`).")
    var noMigrate = false
    @Option(name: .customLong("event-log-max-events"),
            help: "Keep at most this many events, deleting the oldest first (env TESSERA_EVENT_LOG_MAX_EVENTS; default: only --event-retention bounds the log).")
    var eventLogMaxEvents: Int?
    @Option(name: .customLong("event-success-sample"),
            help: "The share of successful requests whose event is kept, 0 to 1, e.g. 0.1; failures are always kept (env TESSERA_EVENT_SUCCESS_SAMPLE; default 1).")
    var eventSuccessSample: Double?
    @Option(name: .customLong("cache-clients"), help: "How many clients the node caches, least recently used first out; 0 turns the cache off (env TESSERA_CACHE_CLIENTS; default 100000).")
    var cacheClients: Int?
    @Option(name: .customLong("cache-servers"), help: "How many servers (and as many scope lists and key rings) the node caches; 0 turns the cache off (env TESSERA_CACHE_SERVERS; default 10000).")
    var cacheServers: Int?
    @OptionGroup var limits: RateLimitOptions
    @OptionGroup var signIn: SignInOptions
    @OptionGroup var data: DataOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let host = self.host ?? environment["TESSERA_HOST"] ?? "127.0.0.1"
        let port = try Self.port(self.port, environment["TESSERA_PORT"])
        let publicURL = try Self.publicURL(self.publicURL ?? environment["TESSERA_PUBLIC_URL"], host: host, port: port)
        let retentionText = eventRetention ?? environment["TESSERA_EVENT_RETENTION"] ?? "30d"
        guard let retention = DurationOption.parse(retentionText) else {
            throw ValidationError("--event-retention must be a number with a unit s, m, h or d (e.g. 30d); got \"\(retentionText)\"")
        }

        let timeouts = ConnectionTimeouts(
            idle: try Self.duration(idleTimeout ?? environment["TESSERA_IDLE_TIMEOUT"], option: "--idle-timeout", default: .seconds(30)),
            request: try Self.duration(requestTimeout ?? environment["TESSERA_REQUEST_TIMEOUT"], option: "--request-timeout", default: .seconds(15)))
        let cacheLimits = CacheLimits(clients: try Self.count(cacheClients, environment["TESSERA_CACHE_CLIENTS"], option: "--cache-clients", default: 100_000),
                                      servers: try Self.count(cacheServers, environment["TESSERA_CACHE_SERVERS"], option: "--cache-servers", default: 10_000))
        let eventLog = try Self.eventLogPolicy(maxEvents: eventLogMaxEvents, sample: eventSuccessSample, environment: environment)
        let rateLimits = try limits.policy(environment: environment)
        let trustedProxies = try limits.proxies(environment: environment)
        let outbound = OutboundPolicy(allowsHTTP: allowHTTPJWKSURI || environment["TESSERA_ALLOW_HTTP_JWKS_URI"] == "1",
                                      allowsPrivateAddresses: allowPrivateJWKSURI || environment["TESSERA_ALLOW_PRIVATE_JWKS_URI"] == "1")

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: environment["TESSERA_LOG_LEVEL"] ?? "") ?? .info
            return ServerLogHandler(handler)
        }
        let logger = Logger(label: "tessera")
        let metrics = TesseraMetrics()
        let opened = try await data.open(migrate: !noMigrate, serving: true) { operation, duration in metrics.store(operation: operation, duration: duration) }
        let runtime = TesseraRuntime(stores: opened.stores, masterKey: opened.masterKey, settings: TesseraSettings(publicURL: publicURL, rateLimits: rateLimits, trustedProxies: trustedProxies,
                                                                                                                   cacheLimits: cacheLimits, eventLog: eventLog,
                                                                                                                   passwordParameters: try signIn.passwordParameters(),
                                                                                                                   sessionLifetime: try signIn.session(),
                                                                                                                   productName: signIn.product(environment: environment)),
                                     jwksFetcher: HTTPJWKSFetcher(policy: outbound), metrics: metrics)
        // PostgreSQL pushes other nodes' changes (LISTEN/NOTIFY); the periodic refresher stays as the safety net.
        opened.stores.changes.observeChanges {
            do { try await runtime.refreshCaches() } catch {
                logger.warning("refreshing caches after a change notification failed", metadata: ["error": .string("\(error)")])
            }
        }
        let defaultIssuer = IssuerURLs(publicURL: publicURL, server: "default").issuer
        let app = TesseraApplication.application(runtime: runtime, host: host, port: port, logger: logger, timeouts: timeouts) { boundPort in
            logger.notice("Tessera is serving http://\(host):\(boundPort) with data in \(opened.location); issuer \(defaultIssuer)")
        }
        var configuration = ServiceGroupConfiguration(
            // Shut down in reverse order: the HTTP server first (no new requests, in-flight ones
            // finish), then the event writer's last flush, so no event of an answered request is lost.
            services: [
                .init(service: PeriodicTask.eventWriter(runtime: runtime, logger: logger)),
                .init(service: PeriodicTask.cacheRefresher(runtime: runtime, logger: logger)),
                .init(service: PeriodicTask.expiryPurger(stores: opened.stores, clock: runtime.clock, logger: logger)),
                .init(service: PeriodicTask.eventRetention(runtime: runtime, keep: retention, logger: logger)),
                .init(service: PeriodicTask.keyRotation(ScheduledKeyRotation(administration: opened.administration, holder: Self.nodeName()),
                                                        runtime: runtime, logger: logger)),
                .init(service: app),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        // A stop must end even if a connection or the database never answers: 10 s to finish in-flight
        // requests and flush events, then 5 s after cancellation.
        configuration.maximumGracefulShutdownDuration = .seconds(10)
        configuration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: configuration)
        // And if something holds the event loops themselves, a thread of its own ends the process: 10 s +
        // 5 s above, then at most 5 s to close the stores (`OpenStores.closeAll`), so 20 s in all.
        let watchdog = await ShutdownWatchdog(limit: .seconds(20))
        defer { withExtendedLifetime(watchdog) {} }
        do {
            try await group.run()
        } catch {
            let text = String(describing: error)
            if text.contains("ddress already in use") {
                throw CommandFailure(message: "cannot listen on \(host):\(port): the address is already in use")
            }
            throw CommandFailure(message: "the server stopped: \(text)")
        }
    }

    /// Names this process in the database's leases: host, process id and a random part (a restarted
    /// process with a reused pid is another holder).
    static func nodeName() -> String {
        let info = ProcessInfo.processInfo
        return "\(info.hostName)/\(info.processIdentifier)/\(UInt32.random(in: 0...UInt32.max))"
    }

    /// `--event-log-max-events` (at least 1,000) and `--event-success-sample` (0 to 1), else their environment variables.
    static func eventLogPolicy(maxEvents: Int?, sample: Double?, environment: [String: String]) throws -> EventLogPolicy {
        var policy = EventLogPolicy()
        let maxText = maxEvents.map(String.init) ?? environment["TESSERA_EVENT_LOG_MAX_EVENTS"].flatMap { $0.isEmpty ? nil : $0 }
        if let maxText {
            guard let value = Int(maxText), value >= 1_000 else {
                throw ValidationError("--event-log-max-events must be a number of events of at least 1000; got \(maxText.debugDescription)")
            }
            policy.maxEvents = value
        }
        let sampleText = sample.map { String($0) } ?? environment["TESSERA_EVENT_SUCCESS_SAMPLE"].flatMap { $0.isEmpty ? nil : $0 }
        if let sampleText {
            guard let value = Double(sampleText), (0...1).contains(value) else {
                throw ValidationError("--event-success-sample must be a share from 0 to 1 (e.g. 0.1 keeps one success in ten); got \(sampleText.debugDescription)")
            }
            policy.successSample = value
        }
        return policy
    }

    /// A cache size: the option, else the environment variable, else `fallback`; a whole number from 0.
    static func count(_ given: Int?, _ environment: String?, option: String, default fallback: Int) throws -> Int {
        if let given {
            guard given >= 0 else { throw ValidationError("\(option) must be a number of entries from 0 (caching off); got \(given)") }
            return given
        }
        guard let environment, !environment.isEmpty else { return fallback }
        guard let value = Int(environment), value >= 0 else {
            throw ValidationError("\(option) (from the environment) must be a number of entries from 0 (caching off); got \(environment.debugDescription)")
        }
        return value
    }

    /// A duration option such as `30s` (see `DurationOption`), or `fallback` when not given.
    static func duration(_ text: String?, option: String, default fallback: Duration) throws -> Duration {
        guard let text else { return fallback }
        guard let duration = DurationOption.parse(text) else {
            throw ValidationError("\(option) must be a number with a unit s, m, h or d (e.g. 30s); got \"\(text)\"")
        }
        return duration
    }

    static func port(_ option: Int?, _ environment: String?) throws -> Int {
        if let option {
            guard (0...65535).contains(option) else { throw ValidationError("--port must be between 0 and 65535; got \(option)") }
            return option
        }
        guard let environment else { return 8080 }
        guard let value = Int(environment), (0...65535).contains(value) else {
            throw ValidationError("TESSERA_PORT must be a port number between 0 and 65535; got \"\(environment)\"")
        }
        return value
    }

    static func publicURL(_ given: String?, host: String, port: Int) throws -> String {
        guard let given else { return "http://\(host):\(port)" }
        guard let url = URL(string: given), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil,
              url.query == nil, url.fragment == nil else {
            throw ValidationError("--public-url must be an http(s) URL without query or fragment, e.g. https://auth.example.com; got \"\(given)\"")
        }
        var text = given
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}

/// Parses durations written as a number and a unit: `45s`, `15m`, `12h`, `30d`.
enum DurationOption {
    static func parse(_ text: String) -> Duration? {
        guard let unit = text.last, let value = Int64(text.dropLast()), value > 0 else { return nil }
        switch unit {
        case "s": return .seconds(value)
        case "m": return .seconds(value * 60)
        case "h": return .seconds(value * 3600)
        case "d": return .seconds(value * 86_400)
        default: return nil
        }
    }
}
