/// A JSON value: the one JSON type of Tessera, from the custom claims operators attach to servers and
/// clients, through token claim sets and headers as `JSONReader` reads them, to the claims the
/// resource-server library hands its callers.
///
/// Claims are free-form (`env=prod`, `org={"id":7}`), so they are kept as JSON rather than strings and
/// written exactly as given into tokens and introspection answers. Numbers are `Double`s, as in
/// JavaScript; `JSONWriter` writes whole numbers up to 10^15 as integer digits, so timestamps and counts
/// round-trip unchanged.
public enum JSONValue: Sendable, Hashable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    /// The string inside a `.string`, or nil for any other kind of value.
    public var string: String? { if case .string(let value) = self { value } else { nil } }
    /// The number inside a `.number`, or nil for any other kind of value.
    public var number: Double? { if case .number(let value) = self { value } else { nil } }
    /// The flag inside a `.bool`, or nil for any other kind of value.
    public var bool: Bool? { if case .bool(let value) = self { value } else { nil } }

    /// A string as a list of one, or the strings of an array (how `aud` and `groups` may come, RFC 7519
    /// §4.1.3); other values and non-string elements give nothing.
    public var strings: [String] {
        switch self {
        case .string(let value): [value]
        case .array(let values): values.compactMap(\.string)
        default: []
        }
    }

    /// Reads `VALUE` of a `KEY=VALUE` option: JSON when it reads as one JSON value (`7`, `true`,
    /// `{"id":7}`), otherwise the text as a plain string.
    public static func parseOptionValue(_ text: String) -> JSONValue {
        (try? JSONReader.value(in: text)) ?? .string(text)
    }

    /// A claims object as compact JSON text with sorted keys (stable output for storage and display).
    public static func encodeObject(_ object: [String: JSONValue]) -> String {
        var out: [UInt8] = []
        JSONWriter.write(.object(object), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads JSON object text written by `encodeObject`; anything else reads as an empty object.
    public static func decodeObject(_ text: String) -> [String: JSONValue] {
        (try? JSONReader.object(in: text)) ?? [:]
    }
}

/// `Codable`, so values inside Codable types (a JWT payload for jwt-kit, a claim forwarded by a
/// resource server) encode and decode as the JSON they are. Tessera's own paths use `JSONReader` and
/// `JSONWriter` instead.
extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Strings first, then numbers: the common cases decode without a thrown (and costly) error.
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
            if let whole = JSONWriter.wholeNumber(value) { try container.encode(whole) } else { try container.encode(value) }
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
