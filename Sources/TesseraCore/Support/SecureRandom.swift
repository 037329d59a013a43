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

    /// A unique id that sorts by creation time: the milliseconds since 1970 in 12 hex digits, then 9 random
    /// bytes in base64url (24 characters). Request ids are indexed in the event log; ids that arrive in
    /// order are appended to the index's last page instead of rewriting a random page per event.
    public static func timeOrderedToken(now: Date = Date()) -> String {
        let milliseconds = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let hex = String(milliseconds, radix: 16)
        return String(repeating: "0", count: max(0, 12 - hex.count)) + hex + token(byteCount: 9)
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
    public static func sha256(_ text: String) -> Data {
        Data(SHA256.hash(data: Data(text.utf8)))
    }
}
