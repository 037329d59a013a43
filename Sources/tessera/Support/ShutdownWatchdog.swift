import Dispatch
import Foundation
import Synchronization

/// Ends `tessera serve` if a stop takes longer than its bound, whatever it is waiting for.
///
/// The service group bounds a graceful stop (10 s for in-flight requests and the last event flush, then
/// 5 s of cancellation before it traps) and closing the stores is bounded (5 s), but all of those wait on
/// timers of the event loops that are Swift concurrency's executor here (`TesseraMain`): one loop blocked
/// in a call that never returns would hold every one of them. The watchdog hears the signal through a
/// dispatch source and counts on a thread of its own, so it needs none of the loops.
final class ShutdownWatchdog: Sendable {
    /// How long a stop may take from the first SIGTERM or SIGINT before the process exits with status 1.
    let limit: Duration
    private let signalled = Mutex(false)
    private nonisolated(unsafe) var sources: [any DispatchSourceSignal] = []

    /// Listens for `signals` (next to the service group's own handling of them) once they are registered:
    /// until then, on Linux, a signal still has its default action and ends the process at once.
    init(limit: Duration, signals: [Int32] = [SIGTERM, SIGINT]) async {
        self.limit = limit
        for signal in signals {
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            sources.append(source)
            source.setEventHandler { [unowned self] in startCounting() }
            await withCheckedContinuation { (registered: CheckedContinuation<Void, Never>) in
                source.setRegistrationHandler { registered.resume() }
                source.resume()
            }
        }
    }

    private func startCounting() {
        guard signalled.withLock({ signalled in defer { signalled = true }; return !signalled }) else { return }
        let limit = limit
        let thread = Thread {
            Thread.sleep(forTimeInterval: Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18)
            FileHandle.standardError.write(Data("tessera: the stop took longer than \(limit.components.seconds) s; exiting now\n".utf8))
            _exit(1)
        }
        thread.name = "shutdown watchdog"
        thread.start()
    }
}
