import Logging
import ServiceLifecycle
import TesseraCore
import TesseraStore

/// Polls the store's change version and drops the directory caches when another process changed
/// clients, servers or keys, so admin commands take effect within a second.
public struct DirectoryRefresher: Service {
    let runtime: TesseraRuntime
    let interval: Duration
    let logger: Logger

    public init(runtime: TesseraRuntime, interval: Duration = .milliseconds(250), logger: Logger) {
        self.runtime = runtime
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown { try await loop() }
    }

    private func loop() async throws {
        while !Task.isCancelled {
            do {
                if try await runtime.refreshCaches() {
                    logger.debug("configuration changed; caches dropped")
                }
            } catch {
                logger.warning("cannot read the store's change version", metadata: ["error": .string("\(error)")])
            }
            try await Task.sleep(for: interval)
        }
    }
}

/// Deletes expired assertion `jti`s, token records and deny-list entries so the tables stay small.
public struct ExpiryPurger: Service {
    let stores: Stores
    let clock: any WallClock
    let interval: Duration
    let logger: Logger

    public init(stores: Stores, clock: any WallClock, interval: Duration = .seconds(60), logger: Logger) {
        self.stores = stores
        self.clock = clock
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown { try await loop() }
    }

    private func loop() async throws {
        while !Task.isCancelled {
            do {
                _ = try await stores.replays.purgeExpired(now: clock.now)
                _ = try await stores.tokens.purgeExpiredTokens(now: clock.now)
            } catch {
                logger.warning("cannot purge expired records", metadata: ["error": .string("\(error)")])
            }
            try await Task.sleep(for: interval)
        }
    }
}
