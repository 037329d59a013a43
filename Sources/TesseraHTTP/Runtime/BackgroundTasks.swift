import Logging
import ServiceLifecycle
import TesseraCore
import TesseraStore

/// Polls the store's change version and drops the directory caches when another process changed
/// clients, servers or keys, so admin commands take effect within a second.
public struct DirectoryRefresher: Service {
    let directory: Directory
    let interval: Duration
    let logger: Logger

    public init(directory: Directory, interval: Duration = .milliseconds(250), logger: Logger) {
        self.directory = directory
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown { try await loop() }
    }

    private func loop() async throws {
        while !Task.isCancelled {
            do {
                if try await directory.refreshIfChanged() {
                    logger.debug("configuration changed; caches dropped")
                }
            } catch {
                logger.warning("cannot read the store's change version", metadata: ["error": .string("\(error)")])
            }
            try await Task.sleep(for: interval)
        }
    }
}

/// Deletes expired assertion `jti`s so the replay table stays small.
public struct ReplayPurger: Service {
    let replays: any ReplayStore
    let clock: any WallClock
    let interval: Duration
    let logger: Logger

    public init(replays: any ReplayStore, clock: any WallClock, interval: Duration = .seconds(60), logger: Logger) {
        self.replays = replays
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
                _ = try await replays.purgeExpired(now: clock.now)
            } catch {
                logger.warning("cannot purge expired assertion ids", metadata: ["error": .string("\(error)")])
            }
            try await Task.sleep(for: interval)
        }
    }
}
