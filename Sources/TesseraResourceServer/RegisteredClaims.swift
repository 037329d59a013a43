import Foundation

/// The registered claims (RFC 7519 §4.1, RFC 9068 §2.2) a validator judges, read in one pass over the
/// members instead of a hashed dictionary lookup per field.
struct RegisteredClaims {
    var issuer: String?
    var subject: String?
    var clientID: String?
    var audiences: [String] = []
    var scope: String?
    var jti: String?
    var expiry: Double?
    var notBefore: Double?

    init(_ claims: [String: ClaimValue]) {
        for (name, value) in claims {
            // Length and first byte pick the one name to compare: a failed `==` between two strings
            // takes the slow path of Unicode comparison, and most members fail most cases.
            let utf8 = name.utf8
            switch (utf8.count, utf8.first ?? 0) {
            case (3, UInt8(ascii: "i")) where name == "iss": issuer = value.string
            case (3, UInt8(ascii: "s")) where name == "sub": subject = value.string
            case (3, UInt8(ascii: "a")) where name == "aud": audiences = value.strings
            case (3, UInt8(ascii: "j")) where name == "jti": jti = value.string
            case (3, UInt8(ascii: "e")) where name == "exp": expiry = value.number
            case (3, UInt8(ascii: "n")) where name == "nbf": notBefore = value.number
            case (5, UInt8(ascii: "s")) where name == "scope": scope = value.string
            case (9, UInt8(ascii: "c")) where name == "client_id": clientID = value.string
            default: continue
            }
        }
    }
}
