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
