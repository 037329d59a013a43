import TesseraJSON

/// How list and map columns are written as text, the same in every backend (so a database can move
/// between them and the conformance suite sees one behaviour). Written by `JSONWriter` and read by
/// `JSONReader`: token records are read on every opaque introspection, and every request's event has a
/// detail map, so neither goes through a `Codable` round trip.
public enum ColumnText {
    /// A list of strings as a JSON array.
    public static func strings(_ values: [String]) -> String {
        JSONWriter.text(.array(values.map(JSONValue.string)))
    }

    /// Reads a column written by `strings(_:)`; a missing or unreadable value, and non-string elements, read as nothing.
    public static func strings(from text: String?) -> [String] {
        guard let text, let value = try? JSONReader.value(in: text) else { return [] }
        return value.strings
    }

    /// A string map (event detail) as a JSON object with sorted keys.
    public static func map(_ values: [String: String]) -> String {
        JSONWriter.text(.object(values.mapValues(JSONValue.string)))
    }

    /// Reads a column written by `map(_:)`; a missing or unreadable value is an empty map, non-string values are left out.
    public static func map(from text: String?) -> [String: String] {
        guard let text, let members = try? JSONReader.object(in: text) else { return [:] }
        return members.compactMapValues(\.string)
    }

    /// A client's secrets as a JSON array of `ClientSecretEntry.json` objects.
    public static func secrets(_ entries: [ClientSecretEntry]) -> String {
        JSONWriter.text(.array(entries.map(\.json)))
    }

    /// Reads a column written by `secrets(_:)`; unreadable entries are left out.
    public static func secrets(from text: String?) -> [ClientSecretEntry] {
        guard let text, case .array(let values)? = try? JSONReader.value(in: text) else { return [] }
        return values.compactMap(ClientSecretEntry.init(json:))
    }

    /// Claims as a JSON object with sorted keys (see `JSONValue.encodeObject`).
    public static func encodeObject(_ object: [String: JSONValue]) -> String {
        JSONValue.encodeObject(object)
    }

    /// Reads a column written by `encodeObject(_:)`; a missing or unreadable value is an empty object.
    public static func object(from text: String?) -> [String: JSONValue] {
        JSONValue.decodeObject(text ?? "{}")
    }
}
