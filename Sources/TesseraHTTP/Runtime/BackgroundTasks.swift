import Logging
import ServiceLifecycle
import TesseraCore
import TesseraStore

/// Runs one job every `interval` until graceful shutdown; a failing run is logged and retried next time.
public struct PeriodicTask: Service {
    let name: String
    let interval: Duration
    let logger: Logger
    let job: @Sendable () async throws -> Void
    let runOnceMoreAtShutdown: Bool

    /// `runOnceMoreAtShutdown`: run the job a last time after shutdown began (flushing queued events).
    public init(name: String, every interval: Duration, logger: Logger, runOnceMoreAtShutdown: Bool = false, job: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.runOnceMoreAtShutdown = runOnceMoreAtShutdown
        self.job = job
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown { try await loop() }
        if runOnceMoreAtShutdown {
            do { try await job() } catch {
                logger.warning("background task failed at shutdown", metadata: ["task": .string(name), "error": .string("\(error)")])
            }
        }
    }

    private func loop() async throws {
        while !Task.isCancelled {
            do {
                try await job()
            } catch {
                logger.warning("background task failed", metadata: ["task": .string(name), "error": .string("\(error)")])
            }
            try await Task.sleep(for: interval)
        }
    }
}

extension PeriodicTask {
    /// Polls the store's change version and drops the caches when another process changed clients,
    /// servers, keys or tokens, so admin commands take effect within a second.
    public static func cacheRefresher(runtime: TesseraRuntime, logger: Logger, every interval: Duration = .milliseconds(250)) -> PeriodicTask {
        PeriodicTask(name: "cache refresher", every: interval, logger: logger) {
            if try await runtime.refreshCaches() { logger.debug("configuration changed; caches dropped") }
        }
    }

    /// Writes queued events to the event log in batches, off the request path.
    public static func eventWriter(runtime: TesseraRuntime, logger: Logger, every interval: Duration = .milliseconds(100)) -> PeriodicTask {
        PeriodicTask(name: "event writer", every: interval, logger: logger, runOnceMoreAtShutdown: true) {
            try await runtime.flushEvents()
        }
    }

    /// Deletes events older than the retention period.
    public static func eventRetention(runtime: TesseraRuntime, keep retention: Duration, logger: Logger, every interval: Duration = .seconds(3600)) -> PeriodicTask {
        PeriodicTask(name: "event retention", every: interval, logger: logger) {
            try await runtime.purgeEvents(olderThan: retention)
        }
    }

    /// Deletes expired assertion `jti`s, token records and deny-list entries so the tables stay small.
    public static func expiryPurger(stores: Stores, clock: any WallClock, logger: Logger, every interval: Duration = .seconds(60)) -> PeriodicTask {
        PeriodicTask(name: "expiry purger", every: interval, logger: logger) {
            _ = try await stores.replays.purgeExpired(now: clock.now)
            _ = try await stores.tokens.purgeExpiredTokens(now: clock.now)
        }
    }
}
