import _CryptoExtras
import Crypto
import Foundation
import TesseraStore
import TesseraJSON

/// Makes new server signing keys: generates the private key, encrypts it under the master key and
/// derives the public JWK that the JWKS endpoint serves (`kid`: its RFC 7638 thumbprint); and opens a
/// stored key for signing.
public enum SigningKeyFactory {
    /// The algorithms a server can sign access tokens with (ES256 unless a rotation names another).
    public static let supportedAlgorithms = ["ES256", "ES384", "RS256", "PS256", "EdDSA"]

    public static func makeES256(server: String, masterKey: MasterKey, now: Date) throws -> SigningKey {
        try make(algorithm: "ES256", server: server, masterKey: masterKey, now: now)
    }

    /// A new key of `algorithm` (one of `supportedAlgorithms`; RSA keys have 2048 bits).
    public static func make(algorithm: String, server: String, masterKey: MasterKey, now: Date) throws -> SigningKey {
        let raw: Data
        let required: [(String, JSONValue)]
        switch algorithm {
        case "ES256":
            let key = P256.Signing.PrivateKey()
            raw = key.rawRepresentation
            required = ecMembers(curve: "P-256", point: key.publicKey.x963Representation, size: 32)
        case "ES384":
            let key = P384.Signing.PrivateKey()
            raw = key.rawRepresentation
            required = ecMembers(curve: "P-384", point: key.publicKey.x963Representation, size: 48)
        case "RS256", "PS256":
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            raw = key.derRepresentation
            let primitives = try key.publicKey.getKeyPrimitives()
            required = [("e", .string(Base64URL.encode(Array(primitives.publicExponent)))), ("kty", .string("RSA")),
                        ("n", .string(Base64URL.encode(Array(primitives.modulus))))]
        case "EdDSA":
            let key = Curve25519.Signing.PrivateKey()
            raw = key.rawRepresentation
            required = [("crv", .string("Ed25519")), ("kty", .string("OKP")), ("x", .string(Base64URL.encode(key.publicKey.rawRepresentation)))]
        default:
            throw AdminError("unknown signing algorithm \(quoted(algorithm)); supported: \(supportedAlgorithms.joined(separator: ", "))")
        }
        // RFC 7638: the thumbprint of the required members in lexicographic order is the kid, so a kid
        // names exactly one key and anyone can recompute it from the JWK.
        let kid = Base64URL.encode(Array(SHA256.hash(data: JSONWriter.object(required))))
        let jwk = required + [("kid", .string(kid)), ("alg", .string(algorithm)), ("use", .string("sig"))]
        return SigningKey(server: server, kid: kid, algorithm: algorithm, encryptedPrivateKey: try masterKey.seal(raw),
                          publicJWK: String(decoding: JSONWriter.object(jwk), as: UTF8.self), active: true, createdAt: now)
    }

    /// The private key of `key`, decrypted, ready to sign.
    static func signingKey(of key: SigningKey, masterKey: MasterKey) throws -> JWSSigner.Key {
        let raw = try masterKey.open(key.encryptedPrivateKey)
        switch key.algorithm {
        case "ES256": return .es256(try P256.Signing.PrivateKey(rawRepresentation: raw))
        case "ES384": return .es384(try P384.Signing.PrivateKey(rawRepresentation: raw))
        case "RS256": return .rs256(try _RSA.Signing.PrivateKey(derRepresentation: raw))
        case "PS256": return .ps256(try _RSA.Signing.PrivateKey(derRepresentation: raw))
        case "EdDSA": return .eddsa(try Curve25519.Signing.PrivateKey(rawRepresentation: raw))
        default: throw AdminError("key \(key.kid) has the unknown algorithm \(quoted(key.algorithm))")
        }
    }

    private static func ecMembers(curve: String, point: Data, size: Int) -> [(String, JSONValue)] {
        let coordinates = point.dropFirst()
        return [("crv", .string(curve)), ("kty", .string("EC")),
                ("x", .string(Base64URL.encode(coordinates.prefix(size)))), ("y", .string(Base64URL.encode(coordinates.suffix(size))))]
    }
}
