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

    public init(name: String, every interval: Duration, logger: Logger, job: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.job = job
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown { try await loop() }
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

    /// Deletes expired assertion `jti`s, token records and deny-list entries so the tables stay small.
    public static func expiryPurger(stores: Stores, clock: any WallClock, logger: Logger, every interval: Duration = .seconds(60)) -> PeriodicTask {
        PeriodicTask(name: "expiry purger", every: interval, logger: logger) {
            _ = try await stores.replays.purgeExpired(now: clock.now)
            _ = try await stores.tokens.purgeExpiredTokens(now: clock.now)
        }
    }
}
