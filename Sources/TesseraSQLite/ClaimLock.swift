#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import TesseraStore

/// The right to decide assertion claims on one SQLite database: an exclusive `flock` on
/// `<database>-claims.lock`, held from the first claim (or `tessera serve`'s start) until the store closes.
///
/// Claims are decided in memory (`ClaimedAssertions`), so two stores deciding them on one database —
/// two `tessera serve` processes on one data directory — would each accept an assertion the other had
/// already used. The second one is refused instead, with the holder's process id. The kernel drops the
/// lock when its holder exits, however it exits. Admin commands never claim and never take the lock.
final class ClaimLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    static func path(forDatabase database: String) -> String { database + "-claims.lock" }

    /// Takes the lock without waiting, or throws `StoreError.unavailable` naming the holder.
    static func take(forDatabase database: String) throws -> ClaimLock {
        let path = path(forDatabase: database)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError.unavailable("cannot open the assertion claim lock \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            let holder = holderDescription(descriptor)
            close(descriptor)
            guard failure == EWOULDBLOCK else {
                throw StoreError.unavailable("cannot lock \(path): \(String(cString: strerror(failure)))")
            }
            throw StoreError.unavailable(
                "another Tessera server (\(holder)) decides client assertion claims on \(database); one SQLite database "
                    + "takes one server — stop the other one, or run several nodes on PostgreSQL (--database)")
        }
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(descriptor, 0) == 0 { _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) } }
        return ClaimLock(descriptor: descriptor)
    }

    /// "process N" from the lock file the holder wrote, or "process unknown".
    private static func holderDescription(_ descriptor: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        let text = count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self) : ""
        let pid = text.split(whereSeparator: \.isNewline).first.flatMap { Int32($0) }
        return pid.map { "process \($0)" } ?? "process unknown"
    }

    /// Gives the lock up (closing the descriptor releases the `flock`).
    func release() {
        close(descriptor)
    }
}
