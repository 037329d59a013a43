import CoreMetrics
import Metrics
import Prometheus
import Synchronization
import TesseraCore

/// The node's metrics, through swift-metrics with a swift-prometheus registry of its own (no global
/// bootstrap, so several runtimes — tests — never share counters). Served at `GET /metrics`.
public final class TesseraMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let counters = Mutex<[String: CoreMetrics.Counter]>([:])
    private let timers = Mutex<[String: CoreMetrics.Timer]>([:])
    private let queueDepth: CoreMetrics.Gauge
    /// The request counter and timer of each (endpoint, outcome), found with one lookup per request.
    private let requestMetrics = Mutex<[RequestKey: (CoreMetrics.Counter, CoreMetrics.Timer)]>([:])
    /// The store-latency timer of each operation, by the operation's name alone.
    private let storeTimers = Mutex<[String: CoreMetrics.Timer]>([:])
    /// The issued-token counter of each server, by the server's name alone (one lookup per token).
    private let tokenCounters = Mutex<[String: CoreMetrics.Counter]>([:])
    private let gauges = Mutex<[String: CoreMetrics.Gauge]>([:])
    /// The cache hits and misses passed on at the last scrape, by cache.
    private let exportedCacheCounts = Mutex<[Directory.Cache: (hits: Int, misses: Int)]>([:])

    private struct RequestKey: Hashable {
        let endpoint: String
        let outcome: String
    }

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
        ]
        self.factory = factory
        queueDepth = CoreMetrics.Gauge(label: "tessera_event_queue_depth", factory: factory)
    }

    /// Counts a request to an endpoint and records its latency.
    public func request(endpoint: String, outcome: String, duration: Duration) {
        let metrics = Self.cached(in: requestMetrics, RequestKey(endpoint: endpoint, outcome: outcome)) {
            let dimensions = [("endpoint", endpoint), ("outcome", outcome)]
            return (counter("tessera_requests_total", dimensions), timer("tessera_request_duration_seconds", dimensions))
        }
        metrics.0.increment()
        metrics.1.recordNanoseconds(Self.nanoseconds(duration))
    }

    public func tokenIssued(server: String) {
        Self.cached(in: tokenCounters, server) { counter("tessera_tokens_issued_total", [("server", server)]) }.increment()
    }

    /// A request refused with 429, by the limit that refused it (`rate_limit.client`, `rate_limit.address`,
    /// `client_auth.locked_out`).
    public func rateLimited(limit: String, endpoint: String) {
        counter("tessera_rate_limited_total", [("limit", limit), ("endpoint", endpoint)]).increment()
    }

    public func clientAuthFailure(reason: String) {
        counter("tessera_client_auth_failures_total", [("reason", reason)]).increment()
    }

    public func eventQueue(depth: Int) {
        queueDepth.record(depth)
    }

    public func eventsDropped(_ count: Int) {
        guard count > 0 else { return }
        counter("tessera_events_dropped_total", []).increment(by: count)
    }

    public func eventsWritten(_ count: Int) {
        counter("tessera_events_written_total", []).increment(by: count)
    }

    /// Latency of one store operation (SQL statement kind, or a named operation).
    public func store(operation: String, duration: Duration) {
        Self.cached(in: storeTimers, operation) { timer("tessera_store_duration_seconds", [("operation", operation)]) }
            .recordNanoseconds(Self.nanoseconds(duration))
    }

    /// The directory's cache statistics as `tessera_cache_hits_total`, `tessera_cache_misses_total` and
    /// `tessera_cache_entries`, by cache (the directory counts; this passes on what was added since the last scrape).
    public func caches(_ directory: Directory) {
        for cache in Directory.Cache.allCases {
            let statistics = directory.statistics(cache)
            let (hits, misses) = exportedCacheCounts.withLock { exported -> (Int, Int) in
                let seen = exported[cache] ?? (0, 0)
                exported[cache] = (statistics.hits, statistics.misses)
                return (statistics.hits - seen.hits, statistics.misses - seen.misses)
            }
            let dimensions = [("cache", cache.rawValue)]
            if hits > 0 { counter("tessera_cache_hits_total", dimensions).increment(by: hits) }
            if misses > 0 { counter("tessera_cache_misses_total", dimensions).increment(by: misses) }
            Self.cached(in: gauges, "tessera_cache_entries|" + cache.rawValue) {
                CoreMetrics.Gauge(label: "tessera_cache_entries", dimensions: dimensions, factory: factory)
            }.record(statistics.entries)
        }
    }

    /// Prometheus text exposition format.
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Counter {
        Self.cached(in: counters, label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()) {
            CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
        }
    }

    private func timer(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Timer {
        Self.cached(in: timers, label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()) {
            CoreMetrics.Timer(label: label, dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory)
        }
    }

    /// The value under `key`, made and kept on first use (two callers racing both make one; the last is kept,
    /// and swift-metrics hands both the same underlying Prometheus metric).
    private static func cached<Key: Hashable & Sendable, Value: Sendable>(in cache: borrowing Mutex<[Key: Value]>, _ key: Key, make: () -> Value) -> Value {
        if let existing = cache.withLock({ $0[key] }) { return existing }
        let made = make()
        cache.withLock { $0[key] = made }
        return made
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}
