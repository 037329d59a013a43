import Crypto
import ExtrasBase64
import JWTKit

/// A key ready to check JWS signatures, resolved once per key and `alg`.
///
/// Used by the resource server for the issuer's keys and by the server for clients' assertion keys.
/// ES256 keys — what Tessera signs with — check through swift-crypto directly, since jwt-kit's verifier
/// reaches the same call through an existential and generic digests (the cost is in docs/performance.md).
/// Every other key checks through jwt-kit.
public struct SignatureVerifier: Sendable {
    /// The `alg` this key verifies; a token must name exactly this one (RFC 8725 §3.1).
    public let algorithm: String
    /// `inputSHA256`: the SHA-256 of `input` when the caller already has it (ES256 signs exactly that digest).
    private let check: @Sendable (_ signature: [UInt8], _ input: ArraySlice<UInt8>, _ inputSHA256: SHA256Digest?) -> Bool

    /// Checks through jwt-kit's verifier for `key`.
    public init(_ key: any JWTAlgorithm) {
        algorithm = key.name
        check = { signature, input, _ in (try? key.verify(signature, signs: input)) ?? false }
    }

    /// Checks with a P-256 public key, as ES256 (RFC 7518 §3.4: `r || s`, 64 bytes, over SHA-256).
    public init(es256 key: P256.Signing.PublicKey) {
        algorithm = "ES256"
        check = { signature, input, inputSHA256 in
            guard let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            let digest = inputSHA256 ?? input.withUnsafeBytes { SHA256.hash(data: $0) }
            return key.isValidSignature(signature, for: digest)
        }
    }

    /// The direct ES256 verifier for `jwk` when it is a P-256 key for ES256, with `fallback` otherwise.
    public init(jwk: JWK, fallback: any JWTAlgorithm) {
        guard fallback.name == "ES256", jwk.keyType == .ecdsa, jwk.curve?.rawValue == "P-256",
              let x = jwk.x.flatMap(Self.base64URL), let y = jwk.y.flatMap(Self.base64URL), x.count == 32, y.count == 32,
              let key = try? P256.Signing.PublicKey(rawRepresentation: x + y) else {
            self.init(fallback)
            return
        }
        self.init(es256: key)
    }

    /// The verifier for a single `jwk` used with `alg`: jwt-kit imports the key (refusing one that cannot
    /// serve `alg`), ES256 keys then check through swift-crypto. A JWK without `kid` is fine.
    public static func load(jwk: JWK, alg: String) async throws -> SignatureVerifier {
        var named = jwk
        if named.keyIdentifier == nil { named.keyIdentifier = JWKIdentifier(string: "_only") }
        let collection = JWTKeyCollection()
        _ = try await collection.add(jwk: named, isDefault: true)
        return SignatureVerifier(jwk: jwk, fallback: try await collection.getKey(for: named.keyIdentifier, alg: alg))
    }

    /// Whether `signature` is this key's signature over `input`. Pass `inputSHA256` only when it was
    /// computed over exactly `input` (the resource server has it already: it keys its cache by it).
    public func verifies(_ signature: [UInt8], over input: ArraySlice<UInt8>, inputSHA256: SHA256Digest? = nil) -> Bool {
        check(signature, input, inputSHA256)
    }

    private static func base64URL(_ text: String) -> [UInt8]? {
        try? Base64.decode(string: text, options: .base64URL)
    }
}
