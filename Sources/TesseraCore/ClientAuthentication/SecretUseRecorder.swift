import Foundation
import Synchronization
import TesseraStore

/// Notes when each client secret last authenticated, writing to the store at most once a minute per
/// secret and off the request's path, so the hot path stays a read (a write per request would double
/// the work of a token request).
final class SecretUseRecorder: Sendable {
    static let interval: TimeInterval = 60
    private let clients: any ClientStore
    private let clock: any WallClock
    private let written = Mutex(BoundedTable<String, Double>(capacity: 100_000))
    /// The latest write; each write waits for the one before, so awaiting this awaits them all.
    private let lastWrite = Mutex<Task<Void, Never>?>(nil)

    init(clients: any ClientStore, clock: any WallClock) {
        self.clients = clients
        self.clock = clock
    }

    /// Records that `secretID` of `clientID` authenticated now, unless it was recorded within the minute.
    func note(clientID: String, secretID: String) {
        let now = clock.now
        let key = clientID + "\u{0}" + secretID
        let due = written.withLock { table -> Bool in
            if let last = table.value(for: key), now.timeIntervalSince1970 - last < Self.interval { return false }
            table.set(now.timeIntervalSince1970, for: key)
            return true
        }
        guard due else { return }
        lastWrite.withLock { last in
            let previous = last
            last = Task { [clients] in
                await previous?.value
                try? await clients.recordSecretUse(clientID: clientID, secretID: secretID, at: now)
            }
        }
    }

    /// Returns once every use noted so far is written (for a clean stop, and for tests to wait on the
    /// writes instead of on time).
    func flush() async {
        await lastWrite.withLock { $0 }?.value
    }
}
