import Crypto
import Foundation
import JWTKit
import TesseraJWT
import TesseraStore
import TesseraJSON

/// Signs JWS compact serialisations with ES256, with the header encoded once per key.
///
/// This is the hot path of token issuance: one JSON payload write, one base64url pass, one
/// swift-crypto signature. Tests verify its output with jwt-kit.
public struct JWSSigner: Sendable {
    public let kid: String
    let privateKey: P256.Signing.PrivateKey
    /// base64url of `{"alg":"ES256","kid":…,"typ":"at+jwt"}` followed by a dot.
    let encodedHeaderAndDot: [UInt8]

    init(kid: String, privateKey: P256.Signing.PrivateKey, type: String = "at+jwt") {
        self.kid = kid
        self.privateKey = privateKey
        let header = JSONWriter.object([("alg", .string("ES256")), ("kid", .string(kid)), ("typ", .string(type))])
        self.encodedHeaderAndDot = Array(Base64URL.encode(header).utf8) + [UInt8(ascii: ".")]
    }

    /// The compact JWS of `payload` (JSON bytes), assembled in one byte buffer; the signing input is hashed
    /// in place and the digest signed (swift-crypto's `signature(for:)` over a collection goes through a
    /// generic `DataProtocol` path first).
    public func sign(payload: [UInt8]) throws -> String {
        var jws = encodedHeaderAndDot
        jws.append(contentsOf: Base64URL.encodeToBytes(payload))
        let digest = jws.withUnsafeBytes { SHA256.hash(data: $0) }
        let signature = try privateKey.signature(for: digest)
        jws.append(UInt8(ascii: "."))
        jws.append(contentsOf: Base64URL.encodeToBytes(signature.rawRepresentation))
        return String(decoding: jws, as: UTF8.self)
    }
}
