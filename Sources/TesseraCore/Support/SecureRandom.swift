import Crypto
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Random identifiers and secrets from the kernel's cryptographic generator.
public enum SecureRandom {
    /// `count` random bytes from the kernel's CSPRNG: `arc4random_buf` (glibc 2.36+, Darwin) is one `getrandom`
    /// call however many bytes are asked for. (swift-crypto's `SymmetricKey(size:)`, used before, fills through the
    /// standard library's generator: one system call per 8 bytes.)
    public static func bytes(_ count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
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

/// Comparison whose duration does not depend on where the inputs first differ.
public enum ConstantTime {
    public static func equals<A: Collection, B: Collection>(_ a: A, _ b: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}

/// SHA-256 helpers for secrets and token hashes.
public enum Hashing {
    /// The digest of `text`'s UTF-8 as bytes, the form stored for secrets and opaque tokens.
    public static func sha256(_ text: String) -> Data {
        sha256Digest(text).withUnsafeBytes { Data($0) }
    }

    /// The digest of `text`'s UTF-8, read in place (no copy into a `Data` first).
    public static func sha256Digest(_ text: String) -> SHA256Digest {
        var text = text
        return text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
    }
}
