import Foundation
import Logging
import ServiceLifecycle
import TesseraCore
import TesseraStore

/// Runs one job every `interval` until graceful shutdown; a failing run is logged and retried next time.
/// A paced job says itself how long to pause before its next run.
public struct PeriodicTask: Service {
    let name: String
    let interval: Duration
    let logger: Logger
    /// Runs the job once; returns the pause before the next run (nil: `interval`).
    let step: @Sendable () async throws -> Duration?
    let runOnceMoreAtShutdown: Bool

    /// `runOnceMoreAtShutdown`: run the job a last time after shutdown began (flushing queued events).
    public init(name: String, every interval: Duration, logger: Logger, runOnceMoreAtShutdown: Bool = false, job: @escaping @Sendable () async throws -> Void) {
        self.init(name: name, retryAfter: interval, logger: logger, runOnceMoreAtShutdown: runOnceMoreAtShutdown) {
            try await job()
            return nil
        }
    }

    /// A job that returns how long to pause before its next run; after a failure it runs again in `retryAfter`.
    public init(name: String, retryAfter interval: Duration, logger: Logger, runOnceMoreAtShutdown: Bool = false,
                pacedJob: @escaping @Sendable () async throws -> Duration?) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.runOnceMoreAtShutdown = runOnceMoreAtShutdown
        step = pacedJob
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown { try await loop() }
        if runOnceMoreAtShutdown {
            do { _ = try await step() } catch {
                logger.warning("background task failed at shutdown", metadata: ["task": .string(name), "error": .string("\(error)")])
            }
        }
    }

    private func loop() async throws {
        while !Task.isCancelled {
            var pause = interval
            do {
                pause = try await step() ?? interval
            } catch {
                logger.warning("background task failed", metadata: ["task": .string(name), "error": .string("\(error)")])
            }
            try await Task.sleep(for: pause)
        }
    }
}

extension PeriodicTask {
    /// Polls the store's change feed and drops from the caches what another process (or this one) changed —
    /// clients, servers, scopes, keys, revocations — so admin commands take effect within a second.
    public static func cacheRefresher(runtime: TesseraRuntime, logger: Logger, every interval: Duration = .milliseconds(250)) -> PeriodicTask {
        PeriodicTask(name: "cache refresher", every: interval, logger: logger) {
            if try await runtime.refreshCaches() { logger.debug("configuration changed; caches dropped") }
        }
    }

    /// Writes queued events to the event log in batches, off the request path: every 10 ms while requests come
    /// in, every 50 ms after a run that found nothing. A flush shares the core with the requests, so the batch
    /// interval trades the p99 of requests against commits per second; the measurements behind 10 ms are in
    /// docs/performance.md.
    public static func eventWriter(runtime: TesseraRuntime, logger: Logger, busy: Duration = .milliseconds(10),
                                   idle: Duration = .milliseconds(50)) -> PeriodicTask {
        PeriodicTask(name: "event writer", retryAfter: idle, logger: logger, runOnceMoreAtShutdown: true) {
            try await runtime.flushEvents() > 0 ? busy : idle
        }
    }

    /// Deletes events older than the retention period and beyond the size bound, every minute (so the log
    /// overshoots its bound by at most a minute of events), in small batches.
    public static func eventRetention(runtime: TesseraRuntime, keep retention: Duration, logger: Logger, every interval: Duration = .seconds(60)) -> PeriodicTask {
        PeriodicTask(name: "event retention", every: interval, logger: logger) {
            try await runtime.purgeEvents(olderThan: retention)
        }
    }

    /// How long change feed entries are kept: a node away for longer drops all its caches when it is back.
    public static let changeFeedRetention: TimeInterval = 3600

    /// Deletes expired assertion `jti`s, token records, deny-list entries and old change feed entries so
    /// the tables stay small.
    public static func expiryPurger(stores: Stores, clock: any WallClock, logger: Logger, every interval: Duration = .seconds(60)) -> PeriodicTask {
        PeriodicTask(name: "expiry purger", every: interval, logger: logger) {
            _ = try await stores.replays.purgeExpired(now: clock.now)
            _ = try await stores.tokens.purgeExpiredTokens(now: clock.now)
            _ = try await stores.changes.purgeChanges(before: clock.now.addingTimeInterval(-changeFeedRetention))
        }
    }

    /// Rotates the keys of servers with a rotation schedule when due, on the node that holds the lease
    /// (`ScheduledKeyRotation`); the rotation's feed entries drop the server's key ring on every node,
    /// this one at once.
    public static func keyRotation(_ rotation: ScheduledKeyRotation, runtime: TesseraRuntime, logger: Logger,
                                   every interval: Duration = .seconds(60)) -> PeriodicTask {
        PeriodicTask(name: "key rotation", every: interval, logger: logger) {
            let done = try await rotation.runOnce()
            guard !done.isEmpty else { return }
            try await runtime.refreshCaches()
            for rotated in done {
                logger.notice("scheduled key rotation", metadata: [
                    "server": .string(rotated.server), "kid": .string(rotated.key.kid), "alg": .string(rotated.key.algorithm),
                    "signs_from": .stringConvertible(rotated.key.activatesAt.epochSeconds), "replaces": .string(rotated.replacing ?? "-"),
                ])
            }
        }
    }
}
