import JWTKit
import TesseraJWT
import TesseraStore
import TesseraJSON

/// Every claim of a JWT access token, decoded as JSON values so custom claims survive.
/// `verify(using:)` does nothing: `TokenVerifier` checks each claim itself to record why a token is inactive.
/// Public so the benchmarks can time jwt-kit's parse of exactly what the server parses.
public struct AccessTokenPayload: JWTPayload, JSONObjectDecodable, Sendable {
    public var claims: [String: JSONValue]

    public init(members: [String: JSONValue]) {
        claims = members
    }

    public init(from decoder: any Decoder) throws {
        claims = try decoder.singleValueContainer().decode([String: JSONValue].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(claims)
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}

    func string(_ name: String) -> String? { claims[name]?.string }

    func number(_ name: String) -> Double? {
        if case .number(let value)? = claims[name] { return value }
        return nil
    }

    /// `aud` as a list, whether it was a string or an array.
    var audiences: [String] {
        switch claims["aud"] {
        case .string(let one)?: return [one]
        case .array(let many)?: return many.compactMap(\.string)
        default: return []
        }
    }
}
