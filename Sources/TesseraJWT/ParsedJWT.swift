import Foundation
import JWTKit

/// A compact JWS parsed once by jwt-kit's parser (with `JWTObjectDecoder` for the JSON): its header,
/// its claims, its signature and the bytes the signature covers, so the signature is checked on the
/// very bytes whose claims are judged, without a second parse.
public struct ParsedJWT<Claims: JWTPayload> {
    public let header: JWTHeader
    public let claims: Claims
    public let signature: Data
    /// Everything before the last `.`: what the signature signs (RFC 7515 §5.2).
    public let signingInput: ArraySlice<UInt8>

    /// Parses `token`; throws jwt-kit's error when it is not three base64url parts with JSON header and claims.
    public init(parsing token: String) throws {
        let bytes = Array(token.utf8)
        let parsed = try DefaultJWTParser(jsonDecoder: JWTObjectDecoder()).parse(bytes, as: Claims.self)
        header = parsed.header
        claims = parsed.payload
        signature = parsed.signature
        signingInput = bytes[..<(bytes.lastIndex(of: UInt8(ascii: ".")) ?? bytes.endIndex)]
    }

    /// Whether the header says this is an RFC 9068 access token (`typ` `at+jwt`, case-insensitive, with or
    /// without the `application/` prefix, RFC 9068 §2.1).
    public var isAccessToken: Bool {
        let typ = header.typ?.lowercased()
        return typ == "at+jwt" || typ == "application/at+jwt"
    }

    /// Whether `key` made the signature. False when the header's `alg` is not the key's algorithm (the
    /// algorithm is pinned to the key, RFC 8725 §3.1) and when the key cannot verify at all.
    public func isSigned(by key: any JWTAlgorithm) -> Bool {
        guard header.alg == key.name else { return false }
        return (try? key.verify(signature, signs: signingInput)) ?? false
    }
}

extension ParsedJWT: Sendable where Claims: Sendable {}
