import Foundation
import TesseraJWT

/// A claim's value in a verified token: string, number, bool, array, object or null.
public enum ClaimValue: Sendable, Hashable, Codable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([ClaimValue])
    case object([String: ClaimValue])
    case null

    /// Reads any JSON value; `Codable` so claims can be stored or forwarded as they came.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Strings first, then numbers: the common cases decode without a thrown error.
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode([ClaimValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: ClaimValue].self)) }
    }

    /// Writes the value back as the JSON it came from.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    /// The string, or nil for any other kind of value.
    public var string: String? { if case .string(let value) = self { return value }; return nil }
    /// The number, or nil for any other kind of value.
    public var number: Double? { if case .number(let value) = self { return value }; return nil }
    /// The boolean, or nil for any other kind of value.
    public var bool: Bool? { if case .bool(let value) = self { return value }; return nil }

    /// A string, or the strings of an array (how `aud` may come).
    public var strings: [String] {
        switch self {
        case .string(let value): return [value]
        case .array(let values): return values.compactMap(\.string)
        default: return []
        }
    }
}

extension ClaimValue: JSONValueRepresentable {}
