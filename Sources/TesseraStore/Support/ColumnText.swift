import Foundation

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
