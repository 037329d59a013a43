import Foundation
import Crypto
import TesseraStore

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

    /// The entry of `secrets` whose hash is that of `presented`, or nil: one SHA-256 (the secret is
    /// random, so a fast hash is enough, DESIGN.md), compared with each stored hash in constant time
    /// (swift-crypto's digest comparison, `safeCompare`).
    public static func entry(for presented: String, in secrets: [ClientSecretEntry]) -> ClientSecretEntry? {
        let digest = Hashing.sha256Digest(presented)
        return secrets.first { digest == $0.hash }
    }
}
