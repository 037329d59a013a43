import Crypto
import Foundation
import TesseraStore
import TesseraJSON

/// Makes new server signing keys: generates the private key, encrypts it under the master key and
/// derives the public JWK that the JWKS endpoint serves.
public enum SigningKeyFactory {
    /// The algorithms a server can sign access tokens with.
    public static let supportedAlgorithms = ["ES256"]

    public static func makeES256(server: String, masterKey: MasterKey, now: Date) throws -> SigningKey {
        let privateKey = P256.Signing.PrivateKey()
        let point = privateKey.publicKey.x963Representation.dropFirst()
        // RFC 7638: the thumbprint of the required members in lexicographic order is the kid, so a kid
        // names exactly one key and anyone can recompute it from the JWK.
        let required: [(String, JSONValue)] = [
            ("crv", .string("P-256")), ("kty", .string("EC")),
            ("x", .string(Base64URL.encode(point.prefix(32)))), ("y", .string(Base64URL.encode(point.suffix(32)))),
        ]
        let kid = Base64URL.encode(Array(SHA256.hash(data: JSONWriter.object(required))))
        let jwk = required + [("kid", .string(kid)), ("alg", .string("ES256")), ("use", .string("sig"))]
        return SigningKey(
            server: server, kid: kid, algorithm: "ES256",
            encryptedPrivateKey: try masterKey.seal(privateKey.rawRepresentation),
            publicJWK: String(decoding: JSONWriter.object(jwk), as: UTF8.self),
            active: true, createdAt: now
        )
    }
}
