import _CryptoExtras
import Crypto
import Foundation
import JWTKit
import TesseraJWT
import TesseraStore
import TesseraJSON

/// Signs JWS compact serialisations with a server key (ES256, ES384, RS256, PS256 or EdDSA), with the
/// header encoded once per key.
///
/// This is the hot path of token issuance: one JSON payload write, one base64url pass, one
/// swift-crypto signature. Tests verify its output with jwt-kit.
public struct JWSSigner: Sendable {
    /// A private key and the JWS algorithm it signs with.
    enum Key: Sendable {
        case es256(P256.Signing.PrivateKey)
        case es384(P384.Signing.PrivateKey)
        case rs256(_RSA.Signing.PrivateKey)
        case ps256(_RSA.Signing.PrivateKey)
        case eddsa(Curve25519.Signing.PrivateKey)

        var algorithm: String {
            switch self {
            case .es256: "ES256"
            case .es384: "ES384"
            case .rs256: "RS256"
            case .ps256: "PS256"
            case .eddsa: "EdDSA"
            }
        }
    }

    public let kid: String
    let key: Key
    /// base64url of `{"alg":…,"kid":…,"typ":"at+jwt"}` followed by a dot.
    let encodedHeaderAndDot: [UInt8]

    init(kid: String, key: Key, type: String = "at+jwt") {
        self.kid = kid
        self.key = key
        let header = JSONWriter.object([("alg", .string(key.algorithm)), ("kid", .string(kid)), ("typ", .string(type))])
        self.encodedHeaderAndDot = Array(Base64URL.encode(header).utf8) + [UInt8(ascii: ".")]
    }

    init(kid: String, privateKey: P256.Signing.PrivateKey, type: String = "at+jwt") {
        self.init(kid: kid, key: .es256(privateKey), type: type)
    }

    /// The JWS algorithm of the key.
    public var algorithm: String { key.algorithm }

    /// The compact JWS of `payload` (JSON bytes), assembled in one byte buffer; for ES256 the signing
    /// input is hashed in place and the digest signed (swift-crypto's `signature(for:)` over a collection
    /// goes through a generic `DataProtocol` path first).
    public func sign(payload: [UInt8]) throws -> String {
        var jws = encodedHeaderAndDot
        jws.append(contentsOf: Base64URL.encodeToBytes(payload))
        let signature: [UInt8]
        switch key {
        case .es256(let key):
            let digest = jws.withUnsafeBytes { SHA256.hash(data: $0) }
            signature = Array(try key.signature(for: digest).rawRepresentation)
        case .es384(let key):
            signature = Array(try key.signature(for: jws).rawRepresentation)
        case .rs256(let key):
            signature = Array(try key.signature(for: jws, padding: .insecurePKCS1v1_5).rawRepresentation)
        case .ps256(let key):
            signature = Array(try key.signature(for: jws, padding: .PSS).rawRepresentation)
        case .eddsa(let key):
            signature = Array(try key.signature(for: jws))
        }
        jws.append(UInt8(ascii: "."))
        jws.append(contentsOf: Base64URL.encodeToBytes(signature))
        return String(decoding: jws, as: UTF8.self)
    }
}
