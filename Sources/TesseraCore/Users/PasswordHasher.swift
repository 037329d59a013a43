import _CryptoExtras
import Crypto
import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Hashes and checks user passwords with scrypt (swift-crypto's `_CryptoExtras`), on a bounded pool of
/// threads of its own: hashing is slow on purpose (tens of milliseconds and 16 MiB each), so it never
/// runs on an event loop, at most `concurrency` hashes run at once, and at most `queueLimit` wait. A flood
/// of sign-in attempts therefore queues here (and is refused past the queue) while token and
/// introspection requests keep their threads.
///
/// Stored form (PHC string style): `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (base64url, no padding); the
/// parameters travel with the hash, so raising them later only affects new hashes, and `needsRehash`
/// says when a stored hash is weaker than the current parameters (rehashed at the next sign-in).
public final class PasswordHasher: Sendable {
    /// scrypt cost: N = 2^logRounds, block size r, parallelism p.
    public struct Parameters: Sendable, Equatable {
        public var logRounds: Int
        public var blockSize: Int
        public var parallelism: Int

        /// N = 2^15, r = 8, p = 1: 32 MiB and about 60 ms on these machines (OWASP's scrypt minimum is N = 2^17 with
        /// r = 8 or N = 2^15 with a larger p; raise with `--password-cost` where sign-ins are rare).
        public static let standard = Parameters(logRounds: 15, blockSize: 8, parallelism: 1)
        /// For tests only: fast, still real scrypt.
        public static let fastForTests = Parameters(logRounds: 10, blockSize: 8, parallelism: 1)

        public init(logRounds: Int, blockSize: Int, parallelism: Int) {
            self.logRounds = logRounds
            self.blockSize = blockSize
            self.parallelism = parallelism
        }
    }

    /// Why a password could not be hashed or checked.
    public enum Failure: Error, Sendable, Equatable {
        /// More than `queueLimit` hashes are waiting: the caller should answer "busy, retry".
        case busy
        /// The stored hash is not one this hasher reads.
        case unreadableHash
        case crypto(String)
    }

    public let parameters: Parameters
    let concurrency: Int
    let queueLimit: Int
    private let queue = DispatchQueue(label: "tessera.password-hashing", attributes: .concurrent)
    private let slots: Mutex<Slots>
    /// A hash of a random password, checked when a username is unknown so the answer takes as long.
    private let decoy: Mutex<String?> = Mutex(nil)

    struct Slots {
        var running = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    public init(parameters: Parameters = .standard, concurrency: Int = max(1, ProcessInfo.processInfo.activeProcessorCount / 2), queueLimit: Int = 64) {
        self.parameters = parameters
        self.concurrency = max(1, concurrency)
        self.queueLimit = queueLimit
        slots = Mutex(Slots())
    }

    /// The stored form of `password` under the current parameters, with a fresh 16-byte salt.
    public func hash(_ password: String) async throws(Failure) -> String {
        let salt = SecureRandom.bytes(16)
        let derived = try await derive(password, salt: salt, parameters: parameters)
        return "$scrypt$ln=\(parameters.logRounds),r=\(parameters.blockSize),p=\(parameters.parallelism)$"
            + Base64URL.encode(salt) + "$" + Base64URL.encode(derived)
    }

    /// Whether `password` matches `stored`, compared in constant time. A nil `stored` (unknown user, no
    /// password set) checks a decoy hash and answers false, taking as long as a real check.
    public func verify(_ password: String, against stored: String?) async throws(Failure) -> Bool {
        guard let stored else {
            let decoyHash = try await decoyHash()
            _ = try await verify(password, against: decoyHash)
            return false
        }
        guard let parsed = Self.parse(stored) else { throw .unreadableHash }
        let derived = try await derive(password, salt: parsed.salt, parameters: parsed.parameters)
        return Self.constantTimeEqual(derived, parsed.hash)
    }

    /// Whether `stored` was made with weaker parameters than the current ones.
    public func needsRehash(_ stored: String) -> Bool {
        guard let parsed = Self.parse(stored) else { return true }
        return parsed.parameters.logRounds < parameters.logRounds || parsed.parameters.blockSize < parameters.blockSize
            || parsed.parameters.parallelism < parameters.parallelism
    }

    /// Hashes running and waiting, for the metrics and the tests.
    public var load: (running: Int, waiting: Int) { slots.withLock { ($0.running, $0.waiting.count) } }

    private func decoyHash() async throws(Failure) -> String {
        if let known = decoy.withLock({ $0 }) { return known }
        let made = try await hash(SecureRandom.token(byteCount: 16))
        decoy.withLock { $0 = made }
        return made
    }

    private func derive(_ password: String, salt: [UInt8], parameters: Parameters) async throws(Failure) -> [UInt8] {
        try acquire()
        await waitForSlot()
        defer { release() }
        let result: Result<[UInt8], Failure> = await withCheckedContinuation { continuation in
            queue.async {
                Self.lowerThreadPriority()
                do {
                    let key = try KDF.Scrypt.deriveKey(from: Array(password.utf8), salt: salt, outputByteCount: 32, rounds: 1 << parameters.logRounds,
                                                       blockSize: parameters.blockSize, parallelism: parameters.parallelism)
                    continuation.resume(returning: .success(key.withUnsafeBytes { Array($0) }))
                } catch {
                    continuation.resume(returning: .failure(.crypto(String(describing: error))))
                }
            }
        }
        return try result.get()
    }

    /// Refuses at once when the queue is full; otherwise the caller will get a slot.
    private func acquire() throws(Failure) {
        let full = slots.withLock { $0.running >= concurrency && $0.waiting.count >= queueLimit }
        if full { throw .busy }
    }

    private func waitForSlot() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let runNow = slots.withLock { slots -> Bool in
                if slots.running < concurrency {
                    slots.running += 1
                    return true
                }
                slots.waiting.append(continuation)
                return false
            }
            if runNow { continuation.resume() }
        }
    }

    private func release() {
        let next = slots.withLock { slots -> CheckedContinuation<Void, Never>? in
            if slots.waiting.isEmpty {
                slots.running -= 1
                return nil
            }
            return slots.waiting.removeFirst()  // the slot passes to the next waiter
        }
        next?.resume()
    }

    /// Hashing threads run at nice 10 (Linux applies `setpriority` to the calling thread): when a core is
    /// shared, the event loop thread gets about nine tenths of it, so token and introspection requests keep
    /// their pace under a flood of sign-ins, which take what is left.
    static func lowerThreadPriority() {
        #if canImport(Glibc)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }

    static func parse(_ stored: String) -> (parameters: Parameters, salt: [UInt8], hash: [UInt8])? {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt" else { return nil }
        var values: [String: Int] = [:]
        for pair in parts[2].split(separator: ",") {
            let kv = pair.split(separator: "=")
            guard kv.count == 2, let number = Int(kv[1]) else { return nil }
            values[String(kv[0])] = number
        }
        guard let ln = values["ln"], let r = values["r"], let p = values["p"], (1...24).contains(ln), (1...64).contains(r), (1...16).contains(p),
              let salt = Base64URL.decode(String(parts[3])), let hash = Base64URL.decode(String(parts[4])), hash.count == 32 else { return nil }
        return (Parameters(logRounds: ln, blockSize: r, parallelism: p), salt, hash)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
