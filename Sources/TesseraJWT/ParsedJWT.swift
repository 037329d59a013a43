import Crypto
import ExtrasBase64
import JWTKit
import TesseraJSON

/// A compact JWS parsed once: its header, its claims, its signature and the bytes the signature
/// covers, so the signature is checked on the very bytes whose claims are judged, without a second parse.
///
/// The split is RFC 7515 §7.1 (three parts, two dots) exactly as jwt-kit's parser does it; base64url is
/// swift-extras-base64 with jwt-kit's options; the JSON is `JSONReader`. jwt-kit's own parser goes
/// through `Data` copies and an existential JSON decoder (the difference is in docs/performance.md);
/// `FuzzParsedJWT` checks that this never accepts what jwt-kit refuses.
public struct ParsedJWT<Claims: JSONObjectDecodable> {
    /// The JOSE header (RFC 7515 §4), from `HeaderMemo` when its bytes were seen before.
    public let header: JWTHeader
    /// The claim set, read by `JSONReader` into the caller's type.
    public let claims: Claims
    /// The decoded signature bytes (for ES256, `r || s`).
    public let signature: [UInt8]
    /// Everything before the last `.`: what the signature signs (RFC 7515 §5.2).
    public let signingInput: ArraySlice<UInt8>

    /// Parses `token`; throws `JWTError.malformedToken` saying which part is wrong when it is not three
    /// canonical base64url parts (no padding, no stray bits) with a JSON object as header and as claims,
    /// or when its header has `crit`.
    public init(parsing token: String) throws(JWTError) {
        let bytes = Array(token.utf8)
        guard let dots = bytes.withUnsafeBytes({ JWSDots(in: $0) }) else {
            throw JWTError.malformedToken(reason: "the token is not three parts separated by dots")
        }
        let (first, second) = (dots.first, dots.second)
        // The header's checks run only when its bytes are new: a memoised header passed them.
        header = try HeaderMemo.shared.header(for: bytes[..<first]) { () throws(JWTError) in
            let fields = try Self.decode(bytes[..<first], "header") { json throws(JSONError) in
                try JSONReader.object(in: json).mapValues(JWTHeaderField.init)
            }
            // RFC 7515 §4.1.11: extensions listed in `crit` must be understood, and Tessera understands none.
            if fields["crit"] != nil {
                throw JWTError.malformedToken(reason: "the header has crit, naming extensions this server does not understand (RFC 7515 §4.1.11); leave crit out")
            }
            return JWTHeader(fields: fields)
        }
        claims = try Self.decode(bytes[(first + 1)..<second], "claims") { json in try Claims(json: json) }
        let signaturePart = bytes[(second + 1)...]
        if let problem = CanonicalBase64URL.problem(in: signaturePart) {
            throw JWTError.malformedToken(reason: "the signature \(problem)")
        }
        guard let signature = try? Base64.decode(bytes: signaturePart, options: .base64URL) else {
            throw JWTError.malformedToken(reason: "the signature is not base64url")
        }
        self.signature = signature
        signingInput = bytes[..<second]
    }

    private static func decode<T>(_ part: ArraySlice<UInt8>, _ name: String, _ read: (UnsafeRawBufferPointer) throws -> T) throws(JWTError) -> T {
        if let problem = CanonicalBase64URL.problem(in: part) {
            throw JWTError.malformedToken(reason: "the \(name) \(problem)")
        }
        guard let json = try? Base64.decode(bytes: part, options: .base64URL) else {
            throw JWTError.malformedToken(reason: "the \(name) is not base64url")
        }
        do {
            return try json.withUnsafeBytes(read)
        } catch {
            throw JWTError.malformedToken(reason: "the \(name) cannot be read: \(error)")
        }
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

    /// Whether `verifier`'s key made the signature; false when the header's `alg` is not the key's.
    /// `signingInputSHA256`, if given, must be the SHA-256 of exactly `signingInput` (the resource server has it
    /// already: it keys its cache of verified tokens by it); ES256 then skips hashing the input again.
    public func isSigned(by verifier: SignatureVerifier, signingInputSHA256: SHA256Digest? = nil) -> Bool {
        header.alg == verifier.algorithm && verifier.verifies(signature, over: signingInput, inputSHA256: signingInputSHA256)
    }
}

extension ParsedJWT: Sendable where Claims: Sendable {}

extension Base64.DecodingOptions {
    /// base64url without padding (RFC 7515 §2), as jwt-kit decodes JWS parts.
    static let base64URL: Self = [.base64UrlAlphabet, .omitPaddingCharacter]
}
