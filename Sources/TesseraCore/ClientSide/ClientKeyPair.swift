import Crypto
import _CryptoExtras
import Foundation
import JWTKit
import TesseraStore
import TesseraJSON

/// A client's private key, as `tessera keygen` writes it and `tessera assertion`/`token` read it.
///
/// The default `kid` is the RFC 7638 thumbprint of the public key, so the key file alone is enough
/// to sign assertions that match the registered JWKS.
public struct ClientKeyPair: Sendable {
    public enum Algorithm: String, Sendable, CaseIterable {
        case es256 = "ES256", rs256 = "RS256", eddsa = "EdDSA"
    }

    enum Material {
        case p256(P256.Signing.PrivateKey)
        case rsa(_RSA.Signing.PrivateKey)
        case ed25519(Curve25519.Signing.PrivateKey)
    }

    let material: Material
    public var algorithm: Algorithm {
        switch material {
        case .p256: return .es256
        case .rsa: return .rs256
        case .ed25519: return .eddsa
        }
    }

    public static func generate(_ algorithm: Algorithm) throws -> ClientKeyPair {
        switch algorithm {
        case .es256: return ClientKeyPair(material: .p256(P256.Signing.PrivateKey()))
        case .rs256: return ClientKeyPair(material: .rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048)))
        case .eddsa: return ClientKeyPair(material: .ed25519(Curve25519.Signing.PrivateKey()))
        }
    }

    /// Reads a PKCS#8 (or SEC1/PKCS#1) PEM private key of any supported type.
    public init(pem: String) throws {
        if let key = try? P256.Signing.PrivateKey(pemRepresentation: pem) {
            material = .p256(key)
        } else if let key = try? Curve25519.Signing.PrivateKey(pemRepresentation: pem) {
            material = .ed25519(key)
        } else if let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) {
            material = .rsa(key)
        } else {
            throw AdminError("the private key is not a PEM-encoded P-256, RSA or Ed25519 private key")
        }
    }

    private init(material: Material) {
        self.material = material
    }

    /// PKCS#8 PEM of the private key.
    public var privateKeyPEM: String {
        switch material {
        case .p256(let key): return key.pemRepresentation
        case .rsa(let key): return key.pkcs8PEMRepresentation
        case .ed25519(let key): return key.pemRepresentation
        }
    }

    /// The public JWK members that define the key, in RFC 7638 order (for the thumbprint).
    private var requiredMembers: [(String, JSONValue)] {
        switch material {
        case .p256(let key):
            let point = key.publicKey.x963Representation.dropFirst()
            return [("crv", .string("P-256")), ("kty", .string("EC")),
                    ("x", .string(Base64URL.encode(point.prefix(32)))), ("y", .string(Base64URL.encode(point.suffix(32))))]
        case .rsa(let key):
            let primitives = try? key.publicKey.getKeyPrimitives()
            return [("e", .string(Base64URL.encode(Array(primitives?.publicExponent ?? Data())))), ("kty", .string("RSA")),
                    ("n", .string(Base64URL.encode(Array(primitives?.modulus ?? Data()))))]
        case .ed25519(let key):
            return [("crv", .string("Ed25519")), ("kty", .string("OKP")), ("x", .string(Base64URL.encode(key.publicKey.rawRepresentation)))]
        }
    }

    /// RFC 7638 JWK thumbprint (SHA-256, base64url).
    public var thumbprint: String {
        Base64URL.encode(Array(SHA256.hash(data: JSONWriter.object(requiredMembers))))
    }

    /// The public JWK with `kid`, `alg` and `use`.
    public func publicJWK(kid: String? = nil) -> [(String, JSONValue)] {
        requiredMembers + [("kid", .string(kid ?? thumbprint)), ("alg", .string(algorithm.rawValue)), ("use", .string("sig"))]
    }

    /// `{"keys":[…]}` with the public key, ready for `tessera clients create --jwks-file`.
    public func jwksDocument(kid: String? = nil) -> String {
        var out = Array(#"{"keys":["#.utf8)
        out += JSONWriter.object(publicJWK(kid: kid))
        out += Array("]}".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    /// A client assertion signed with this key.
    public func signAssertion(_ claims: AssertionClaims, kid: String? = nil) async throws -> String {
        let keys = JWTKeyCollection()
        let identifier = JWKIdentifier(string: kid ?? thumbprint)
        switch material {
        case .p256(let key): await keys.add(ecdsa: try ES256PrivateKey(backing: key), kid: identifier)
        case .rsa(let key): await keys.add(rsa: try Insecure.RSA.PrivateKey(backing: key), digestAlgorithm: .sha256, kid: identifier)
        case .ed25519(let key): await keys.add(eddsa: EdDSA.PrivateKey(backing: key), kid: identifier)
        }
        return try await keys.sign(claims, kid: identifier, header: ["typ": "JWT"])
    }

    /// A `client_secret_jwt` assertion: HS256 over the client secret.
    public static func signAssertion(_ claims: AssertionClaims, secret: String) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(claims, header: ["typ": "JWT"])
    }

    /// Standard assertion claims for `clientID` aimed at `audience`, valid for `lifetime` seconds.
    public static func assertionClaims(clientID: String, audience: String, lifetime: Int = 60, now: Date = Date()) -> AssertionClaims {
        let issuedAt = Double(now.epochSeconds)
        return AssertionClaims(iss: clientID, sub: clientID, aud: AudienceList([audience]), exp: issuedAt + Double(lifetime),
                               iat: issuedAt, nbf: nil, jti: SecureRandom.token(byteCount: 16))
    }
}
