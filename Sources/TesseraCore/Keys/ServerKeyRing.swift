import Crypto
import Foundation
import JWTKit
import TesseraJWT
import TesseraStore

/// The decrypted signing material of one authorization server, ready for the hot path.
///
/// Holds the current signer and the JWKS document, both computed once when the keys are loaded, so
/// issuing a token or serving `/v1/keys` does no key parsing. Which key signs and which are published
/// depends on the time (`KeyState`): a ring is valid until the next activation or retirement of one of
/// its keys (`validUntil`), and the directory loads a new one then.
public struct ServerKeyRing: Sendable {
    public let signer: JWSSigner?
    /// Signs RFC 9701 introspection responses (`typ: token-introspection+jwt`) with the same key.
    public let introspectionSigner: JWSSigner?
    /// Signs OpenID Connect ID tokens (`typ: JWT`) with the same key.
    public let idTokenSigner: JWSSigner?
    /// Every active public key by kid, ready to check this server's access tokens (ES256 through
    /// swift-crypto directly, as the resource server and client assertions do).
    public let verifiers: [String: SignatureVerifier]
    /// `{"keys":[…]}` with the public JWKs of every published key (current, next, previous), serialised once.
    public let jwksDocument: [UInt8]
    /// A strong `ETag` of `jwksDocument` (the start of its SHA-256), for conditional JWKS requests.
    public let jwksETag: String
    /// The published kids, the current one first.
    public let kids: [String]
    /// When a key of the ring activates or retires next; the ring must be loaded anew from then.
    public let validUntil: Date

    public static func load(keys: [SigningKey], masterKey: MasterKey, at now: Date = Date()) async throws -> ServerKeyRing {
        var verifiers: [String: SignatureVerifier] = [:]
        for key in keys where key.isPublished(at: now) {
            let jwk = try JSONDecoder().decode(JWK.self, from: Data(key.publicJWK.utf8))
            verifiers[key.kid] = try await SignatureVerifier.load(jwk: jwk, alg: key.algorithm)
        }
        return try ServerKeyRing(keys: keys, masterKey: masterKey, verifiers: verifiers, at: now)
    }

    private init(keys: [SigningKey], masterKey: MasterKey, verifiers: [String: SignatureVerifier], at now: Date) throws {
        let states = KeyState.of(keys, at: now)
        func inState(_ state: KeyState) -> [SigningKey] {
            states.filter { $0.state == state }.map(\.key).sorted { $0.activatesAt > $1.activatesAt }
        }
        let published = inState(.current) + inState(.next) + inState(.previous)
        var signer: JWSSigner?
        var introspectionSigner: JWSSigner?
        var idTokenSigner: JWSSigner?
        if let newest = inState(.current).first {
            let key = try SigningKeyFactory.signingKey(of: newest, masterKey: masterKey)
            signer = JWSSigner(kid: newest.kid, key: key)
            introspectionSigner = JWSSigner(kid: newest.kid, key: key, type: "token-introspection+jwt")
            idTokenSigner = JWSSigner(kid: newest.kid, key: key, type: "JWT")
        }
        self.signer = signer
        self.introspectionSigner = introspectionSigner
        self.idTokenSigner = idTokenSigner
        self.verifiers = verifiers
        self.kids = published.map(\.kid)
        validUntil = KeyState.nextChange(of: keys, after: now) ?? .distantFuture
        var document = Array(#"{"keys":["#.utf8)
        for (index, key) in published.enumerated() {
            if index > 0 { document.append(UInt8(ascii: ",")) }
            document.append(contentsOf: key.publicJWK.utf8)
        }
        document.append(contentsOf: "]}".utf8)
        self.jwksDocument = document
        jwksETag = "\"" + Hex.encode(SHA256.hash(data: document).prefix(12)) + "\""
    }
}

