import Crypto
import Foundation
import TesseraCore

/// Compact JWS built from literal header and claims text, signed for real: for inputs no JWT library
/// would produce (duplicate members, `crit`, out-of-range times, odd base64url).
enum HandMadeJWS {
    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Base64URL.encode(Array(bytes))
    }

    /// `header.claims.signature`, ES256 with `key`.
    static func es256(header: String, claims: String, key: P256.Signing.PrivateKey) throws -> String {
        let input = base64URL(header.utf8) + "." + base64URL(claims.utf8)
        let signature = try key.signature(for: Data(input.utf8)).rawRepresentation
        return input + "." + base64URL(signature)
    }

    /// `header.claims.signature`, HS256 over `secret`.
    static func hs256(header: String, claims: String, secret: String) -> String {
        let input = base64URL(header.utf8) + "." + base64URL(claims.utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return input + "." + base64URL(mac)
    }

    /// The same token with the last character of its signature changed in the bits base64url leaves
    /// unused: it decodes to the same bytes, and is not canonical.
    static func withStrayBits(_ token: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var characters = Array(token)
        guard let last = characters.last, let value = alphabet.firstIndex(of: last) else { return token }
        characters[characters.count - 1] = alphabet[value | 1]
        return String(characters)
    }
}
