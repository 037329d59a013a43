import Foundation

/// A JSON value, used for custom claims that operators attach to servers and clients.
///
/// Claims are free-form (`env=prod`, `org={"id":7}`), so they are kept as JSON rather than strings,
/// and serialised exactly as given into tokens and introspection answers.
public enum JSONValue: Sendable, Hashable, Codable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Most claims are strings, then numbers: trying those first avoids a thrown (and costly) decoding
        // error per value on the token-verification path.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Reads `VALUE` of a `KEY=VALUE` option: JSON when it parses as JSON, otherwise a plain string.
    public static func parseOptionValue(_ text: String) -> JSONValue {
        if let data = text.data(using: .utf8),
           let value = try? JSONDecoder().decode(JSONValue.self, from: data) {
            return value
        }
        return .string(text)
    }

    /// The string inside a `.string`, or nil.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}

extension JSONValue {
    /// Encodes a dictionary of claims as compact JSON text (keys sorted, so output is stable).
    public static func encodeObject(_ object: [String: JSONValue]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(object) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Decodes JSON object text written by `encodeObject`; anything else reads as an empty object.
    public static func decodeObject(_ text: String) -> [String: JSONValue] {
        (try? JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8))) ?? [:]
    }
}

/// How list and map columns are written as text, the same in every backend (so a database can move
/// between them and the conformance suite sees one behaviour).
public enum ColumnText {
    /// A list of strings as a JSON array, written without a `JSONEncoder` round trip (token records are on the hot path).
    public static func strings(_ values: [String]) -> String {
        var out: [UInt8] = []
        JSONWriter.write(.array(values.map(JSONValue.string)), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads a column written by `strings(_:)`; a missing or unreadable value is an empty list.
    public static func strings(from text: String?) -> [String] {
        decode(text, as: [String].self) ?? []
    }

    /// A string map (event detail) as a JSON object with sorted keys, through `JSONWriter` (every request's
    /// event has one; a `JSONEncoder` round trip cost more than the rest of the row).
    public static func map(_ values: [String: String]) -> String {
        String(decoding: JSONWriter.object(values.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }), as: UTF8.self)
    }

    /// Reads a column written by `map(_:)`; a missing or unreadable value is an empty map.
    public static func map(from text: String?) -> [String: String] {
        decode(text, as: [String: String].self) ?? [:]
    }

    /// Claims as a JSON object (see `JSONValue.encodeObject`).
    public static func encodeObject(_ object: [String: JSONValue]) -> String {
        JSONValue.encodeObject(object)
    }

    /// Reads a column written by `encodeObject(_:)`.
    public static func object(from text: String?) -> [String: JSONValue] {
        JSONValue.decodeObject(text ?? "{}")
    }

    private static func decode<T: Decodable>(_ text: String?, as type: T.Type) -> T? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}
