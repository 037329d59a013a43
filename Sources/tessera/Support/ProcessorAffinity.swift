import Foundation
import NIOCore
import NIOPosix

/// Sizes NIO's event loops and blocking thread pool to the CPUs this process may run on.
///
/// NIO counts the machine's cores (and cgroup quotas) but not the process's CPU affinity, so a node
/// started with `taskset -c 0` (or pinned by an orchestrator) ran two event loop threads on one core,
/// and every hop between them was a context switch. Called before the loops start.
enum ProcessorAffinity {
    static func sizeEventLoops() {
        guard let allowed = allowedCPUCount, allowed < System.coreCount else { return }
        NIOSingletons.groupLoopCountSuggestion = allowed
        // The blocking pool runs SQLite's calls; its one connection takes one call at a time, so threads
        // beyond the CPUs only wait on the connection's mutex and switch places on the same core.
        NIOSingletons.blockingPoolThreadCountSuggestion = allowed
    }

    /// How many CPUs the scheduler lets this process use, or nil where that cannot be asked.
    static var allowedCPUCount: Int? {
        // Linux states the affinity mask in hex ("Cpus_allowed:\tff,ffffffff"); Glibc's sched_getaffinity
        // is not visible to Swift without _GNU_SOURCE.
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else { return nil }
        var count = 0
        for character in line.dropFirst("Cpus_allowed:".count) where character.isHexDigit {
            count += character.hexDigitValue?.nonzeroBitCount ?? 0
        }
        return count > 0 ? count : nil
    }
}
