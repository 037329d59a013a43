import Crypto
import Foundation

/// Random identifiers and secrets from the system's cryptographic generator.
public enum SecureRandom {
    /// `count` random bytes from BoringSSL's CSPRNG (seeded from the kernel, no syscall per call).
    public static func bytes(_ count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        return SymmetricKey(size: SymmetricKeySize(bitCount: count * 8)).withUnsafeBytes { Array($0) }
    }

    /// A base64url string carrying `byteCount` random bytes (32 bytes = 256 bits).
    public static func token(byteCount: Int = 32) -> String {
        Base64URL.encode(bytes(byteCount))
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
