import Crypto
import Foundation

/// The key that encrypts private signing keys and `client_secret_jwt` secrets at rest (AES-256-GCM).
///
/// Comes from `TESSERA_MASTER_KEY` (base64url or base64 of 32 bytes) or a `0600` key file beside the
/// database, created on first start.
public struct MasterKey: Sendable {
    private let key: SymmetricKey

    public init(bytes: [UInt8]) throws(MasterKeyError) {
        guard bytes.count == 32 else { throw MasterKeyError("the master key must be 32 bytes; got \(bytes.count)") }
        key = SymmetricKey(data: bytes)
    }

    /// Reads a key written as base64url or base64 text.
    public init(encoded text: String) throws(MasterKeyError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Base64URL.decode(trimmed) ?? Base64Standard.decode(trimmed) else {
            throw MasterKeyError("the master key must be base64 of 32 bytes")
        }
        try self.init(bytes: bytes)
    }

    private init(validated bytes: [UInt8]) {
        key = SymmetricKey(data: bytes)
    }

    /// A fresh random key and its base64url text for the key file.
    public static func generate() -> (key: MasterKey, encoded: String) {
        let bytes = SecureRandom.bytes(32)
        return (MasterKey(validated: bytes), Base64URL.encode(bytes))
    }

    public func seal(_ plaintext: Data) throws -> Data {
        guard let combined = try AES.GCM.seal(plaintext, using: key).combined else {
            throw MasterKeyError("AES-GCM produced no combined box")
        }
        return combined
    }

    public func open(_ box: Data) throws -> Data {
        try AES.GCM.open(AES.GCM.SealedBox(combined: box), using: key)
    }
}

/// Why a master key could not be loaded.
public struct MasterKeyError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
