import JWTKit
import TesseraJWT
import TesseraJSON

/// The claims of a client assertion (RFC 7523 §3), decoded without judging them.
///
/// Every field is optional so that a missing claim gets its own reason code instead of a generic
/// decoding failure. `verify(using:)` does nothing: `ClientAssertionVerifier` checks each claim
/// itself so that each violation is explained.
public struct AssertionClaims: JWTPayload, JSONObjectDecodable, Sendable, Equatable {
    public var iss: String?
    public var sub: String?
    public var aud: AudienceList?
    public var exp: Double?
    public var iat: Double?
    public var nbf: Double?
    public var jti: String?

    public init(iss: String? = nil, sub: String? = nil, aud: AudienceList? = nil, exp: Double? = nil, iat: Double? = nil, nbf: Double? = nil, jti: String? = nil) {
        self.iss = iss
        self.sub = sub
        self.aud = aud
        self.exp = exp
        self.iat = iat
        self.nbf = nbf
        self.jti = jti
    }

    /// A claim of the wrong type (`exp` as a string), or a time outside `NumericDate.range`, makes the
    /// assertion malformed.
    public init(members: [String: JSONValue]) throws {
        let jsonObject = JSONObject(members)
        iss = try jsonObject.string("iss")
        sub = try jsonObject.string("sub")
        aud = try jsonObject.strings("aud").map(AudienceList.init)
        exp = try jsonObject.numericDate("exp")
        iat = try jsonObject.numericDate("iat")
        nbf = try jsonObject.numericDate("nbf")
        jti = try jsonObject.string("jti")
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}
