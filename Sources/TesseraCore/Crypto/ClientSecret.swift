import Foundation
import Crypto

/// A newly generated client secret: shown once, stored only as its hash (and, for
/// `client_secret_jwt`, encrypted so the server can verify HMAC assertions).
public struct ClientSecret: Sendable {
    public let plaintext: String
    public let hash: Data

    /// 256 random bits, base64url, never starting with `-` (which command lines would take for an option).
    public static func generate() -> ClientSecret {
        var text = SecureRandom.token(byteCount: 32)
        while text.hasPrefix("-") { text = SecureRandom.token(byteCount: 32) }
        return ClientSecret(plaintext: text, hash: Hashing.sha256(text))
    }

    /// Whether `presented` is the secret whose hash is `storedHash`, compared in constant time.
    /// The secret is random, so a fast hash is enough (DESIGN.md).
    public static func matches(_ presented: String, storedHash: Data) -> Bool {
        // swift-crypto's digest comparison is constant-time (`safeCompare`).
        Hashing.sha256Digest(presented) == storedHash
    }
}
