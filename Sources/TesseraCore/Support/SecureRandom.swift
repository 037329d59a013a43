import Crypto
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Random identifiers and secrets from the kernel's cryptographic generator.
public enum SecureRandom {
    /// `count` random bytes from the kernel's CSPRNG in as few system calls as it allows: `getrandom(2)` on
    /// Linux (glibc 2.25 and later, so the server also runs where glibc has no `arc4random_buf`),
    /// `arc4random_buf` on Darwin.
    public static func bytes(_ count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            #if os(Linux)
            var filled = 0
            while filled < buffer.count {
                let got = systemGetRandom(base + filled, buffer.count - filled, 0)
                // Interrupted by a signal: ask again. Any other failure means no kernel randomness at all,
                // and a secret made without it must not exist.
                if got < 0 { precondition(errno == EINTR, "getrandom failed: errno \(errno)"); continue }
                filled += got
            }
            #else
            arc4random_buf(base, buffer.count)
            #endif
        }
        return out
    }

    /// A base64url string carrying `byteCount` random bytes (32 bytes = 256 bits). Up to 64 bytes come from
    /// `pooledBytes`, as token `jti`s and opaque tokens are made on every token request.
    public static func token(byteCount: Int = 32) -> String {
        Base64URL.encode(byteCount <= 64 ? pooledBytes(byteCount) : bytes(byteCount))
    }

    /// `count` bytes of the same CSPRNG, drawn 4 KiB at a time: every draw is a `getrandom` system call, which
    /// a token request paid for its `jti` (and an opaque token twice). A byte handed out is zeroed in the pool,
    /// so the pool never holds a value already issued.
    public static func pooledBytes(_ count: Int) -> [UInt8] {
        pool.withLock { $0.take(count) }
    }

    private static let pool = Mutex(RandomPool())

    /// Unissued random bytes and where the next draw starts.
    struct RandomPool {
        static let refillSize = 4096
        private var buffer: [UInt8] = []
        private var offset = 0

        mutating func take(_ count: Int) -> [UInt8] {
            precondition(count <= Self.refillSize)
            if offset + count > buffer.count {
                buffer = SecureRandom.bytes(Self.refillSize)
                offset = 0
            }
            let range = offset..<(offset + count)
            let taken = Array(buffer[range])
            buffer.replaceSubrange(range, with: repeatElement(0, count: count))
            offset += count
            return taken
        }
    }

    /// An identifier of lowercase letters and digits, easy to paste and safe in URLs and Basic auth.
    public static func identifier(prefix: String, length: Int = 20) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        // 252 = 7 × 36: rejecting bytes ≥ 252 keeps every character equally likely.
        var characters: [Character] = []
        while characters.count < length {
            for byte in bytes(length) where byte < 252 && characters.count < length {
                characters.append(alphabet[Int(byte) % alphabet.count])
            }
        }
        return prefix + String(characters)
    }
}

#if os(Linux)
/// glibc's `getrandom(2)` wrapper (glibc 2.25+); `sys/random.h` is not part of Swift's Glibc module.
@_silgen_name("getrandom")
private func systemGetRandom(_ buffer: UnsafeMutableRawPointer, _ count: Int, _ flags: UInt32) -> Int
#endif
