import TesseraCore
import ExtrasBase64
import TesseraWire

/// The id and secret of an `Authorization: Basic` header, decoded per RFC 6749 §2.3.1
/// (base64 of form-urlencoded `id:secret`).
public struct BasicCredentials: Sendable, Equatable {
    public var clientID: String
    public var secret: String

    /// Parses the header value; nil when it is not a Basic header at all, throws when it is a
    /// malformed one.
    public static func parse(authorizationHeader value: String) throws(OAuthError) -> BasicCredentials? {
        guard let encoded = AuthorizationHeader.credentials(of: value, scheme: "basic") else { return nil }
        func malformed(_ why: String) -> OAuthError {
            OAuthError(.invalidClient, .clientAuthMalformedBasic,
                       "the Authorization: Basic header is malformed: \(why); expected base64(urlencode(client_id):urlencode(client_secret))")
        }
        // RFC 4648 §4 padding: a multiple of four characters, at most two '=' and only at the end (the decoder
        // alone reads past an '=' in the middle; found by the FuzzBasicHeader target).
        let padding = encoded.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard !encoded.isEmpty, encoded.count % 4 == 0, padding <= 2, !encoded.dropLast(padding).contains(UInt8(ascii: "=")),
              let decoded = try? Base64.decode(bytes: encoded) else {
            throw malformed("the credentials are not base64")
        }
        // ASCII (nearly every id and secret) is UTF-8 as it is; only other bytes go through the validating initialiser.
        guard decoded.allSatisfy({ $0 < 0x80 }) || String(validating: decoded, as: UTF8.self) != nil else {
            throw malformed("the decoded credentials are not UTF-8")
        }
        guard let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { throw malformed("no ':' between client id and secret") }
        guard let id = FormURLEncoding.decodeComponent(decoded[..<colon]),
              let secret = FormURLEncoding.decodeComponent(decoded[(colon + 1)...]) else {
            throw malformed("the client id or secret has invalid percent-encoding")
        }
        guard !id.isEmpty else { throw malformed("the client id is empty") }
        return BasicCredentials(clientID: id, secret: secret)
    }
}
