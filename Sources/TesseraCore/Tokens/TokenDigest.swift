import Crypto
import Foundation

/// SHA-256 of a token held in four words, the key of the caches of verified tokens and rendered
/// introspection answers.
///
/// Exists because a `Data` key is a pointer to bytes elsewhere on the heap: over 10,000 callers a
/// lookup by `Data` read a cold allocation to hash and again to compare, and the digest was copied into
/// a fresh allocation on every request. These words are hashed and compared where they are.
public struct TokenDigest: Hashable, Sendable {
    private let words: (UInt64, UInt64, UInt64, UInt64)

    public init(_ digest: SHA256Digest) {
        self = digest.withUnsafeBytes { TokenDigest(bytes: $0) }
    }

    /// The first 32 of `bytes` (a SHA-256 digest has exactly 32).
    init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count >= 32, "a SHA-256 digest has 32 bytes")
        words = (bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                 bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    /// The digest of `token`'s UTF-8.
    public init(of token: String) {
        self.init(Hashing.sha256Digest(token))
    }

    /// The 32 bytes, as stored with an opaque token's record.
    public var data: Data {
        withUnsafeBytes(of: words) { Data($0) }
    }

    public static func == (a: TokenDigest, b: TokenDigest) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    /// Sixty-four bits of a uniform digest spread buckets as well as 256 (the hasher is seeded per process).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
    }
}
