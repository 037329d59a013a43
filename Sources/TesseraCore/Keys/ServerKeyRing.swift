import Crypto
import Foundation
import JWTKit
import TesseraJWT
import TesseraStore

/// The decrypted signing material of one authorization server, ready for the hot path.
///
/// Holds the current signer (newest active key) and the JWKS document, both computed once when the
/// keys are loaded, so issuing a token or serving `/v1/keys` does no key parsing.
public struct ServerKeyRing: Sendable {
    public let signer: JWSSigner?
    /// Signs RFC 9701 introspection responses (`typ: token-introspection+jwt`) with the same key.
    public let introspectionSigner: JWSSigner?
    /// Every active public key by kid, ready to check this server's access tokens (ES256 through
    /// swift-crypto directly, as the resource server and client assertions do).
    public let verifiers: [String: SignatureVerifier]
    /// `{"keys":[…]}` with the public JWKs of every active key, serialised once.
    public let jwksDocument: [UInt8]
    public let kids: [String]

    public static func load(keys: [SigningKey], masterKey: MasterKey) async throws -> ServerKeyRing {
        var verifiers: [String: SignatureVerifier] = [:]
        for key in keys where key.active {
            let jwk = try JSONDecoder().decode(JWK.self, from: Data(key.publicJWK.utf8))
            verifiers[key.kid] = try await SignatureVerifier.load(jwk: jwk, alg: key.algorithm)
        }
        return try ServerKeyRing(keys: keys, masterKey: masterKey, verifiers: verifiers)
    }

    private init(keys: [SigningKey], masterKey: MasterKey, verifiers: [String: SignatureVerifier]) throws {
        let active = keys.filter(\.active).sorted { $0.createdAt > $1.createdAt }
        var signer: JWSSigner?
        var introspectionSigner: JWSSigner?
        if let newest = active.first, newest.algorithm == "ES256" {
            let raw = try masterKey.open(newest.encryptedPrivateKey)
            let key = try P256.Signing.PrivateKey(rawRepresentation: raw)
            signer = JWSSigner(kid: newest.kid, privateKey: key)
            introspectionSigner = JWSSigner(kid: newest.kid, privateKey: key, type: "token-introspection+jwt")
        }
        self.signer = signer
        self.introspectionSigner = introspectionSigner
        self.verifiers = verifiers
        self.kids = active.map(\.kid)
        var document = Array(#"{"keys":["#.utf8)
        for (index, key) in active.enumerated() {
            if index > 0 { document.append(UInt8(ascii: ",")) }
            document.append(contentsOf: key.publicJWK.utf8)
        }
        document.append(contentsOf: "]}".utf8)
        self.jwksDocument = document
    }
}

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
