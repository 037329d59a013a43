import Foundation
import Synchronization

/// Single-use claims of client-assertion `jti`s, written in groups (group commit).
///
/// A claim used to be one INSERT and one commit of its own: on a private_key_jwt token request that was
/// a fifth of the server's CPU (statement preparation, WAL frames, checkpoints) next to one verify and
/// one signature. Claims that arrive while a write is running now wait for the next write, which inserts
/// all of them with one statement; the statement returns the rows that were fresh, so every claim is
/// still answered exactly as alone: the first claim of a (client, jti) wins, every later one is a replay.
/// A claim arriving while nothing is written starts a write at once (no timer, no added latency).
final class ReplayClaimGroups: Sendable {
    /// One claim: which assertion, until when it must stay single-use, and the caller's clock.
    struct Claim: Sendable {
        var key: Key
        var expiresAt: Date
        var now: Date
    }

    struct Key: Hashable, Sendable {
        var clientID: String
        var jti: String
    }

    /// Writes claims with distinct keys in one statement; returns the keys that were fresh.
    typealias Write = @Sendable (_ claims: [Claim]) async throws -> Set<Key>

    private struct Waiting {
        var claim: Claim
        var answer: CheckedContinuation<Bool, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var writing = false
    }

    /// At most this many claims per statement (three bound values each, far below SQLite's limit).
    static let groupLimit = 256
    private let state = Mutex(State())

    init() {}

    /// True when this claim is the first of its (client, jti) that has not expired. `write` writes a
    /// group; the claim that finds no write running lends its `write` to the groups that follow.
    func claim(_ claim: Claim, write: @escaping Write) async throws -> Bool {
        try await withCheckedThrowingContinuation { answer in
            let startWriting = state.withLock { state in
                state.waiting.append(Waiting(claim: claim, answer: answer))
                if state.writing { return false }
                state.writing = true
                return true
            }
            if startWriting { Task { await self.writeWaitingGroups(write) } }
        }
    }

    /// Writes what is waiting, group after group, until nothing is.
    private func writeWaitingGroups(_ write: Write) async {
        while true {
            let group = state.withLock { state -> [Waiting] in
                let count = min(state.waiting.count, Self.groupLimit)
                let group = Array(state.waiting.prefix(count))
                state.waiting.removeFirst(count)
                if group.isEmpty { state.writing = false }
                return group
            }
            if group.isEmpty { return }
            await answer(group, write)
        }
    }

    private func answer(_ group: [Waiting], _ write: Write) async {
        // Within a group only the first claim of a key is written; any later one is a replay of it.
        var seen: Set<Key> = []
        var firsts: [Claim] = []
        for waiting in group where seen.insert(waiting.claim.key).inserted {
            firsts.append(waiting.claim)
        }
        do {
            var fresh = try await write(firsts)
            for waiting in group {
                waiting.answer.resume(returning: fresh.remove(waiting.claim.key) != nil)
            }
        } catch {
            for waiting in group { waiting.answer.resume(throwing: error) }
        }
    }
}
