import Crypto
import Foundation

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
