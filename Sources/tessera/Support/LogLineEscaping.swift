import Logging

/// Makes any text safe to write into one log line: control characters (CR, LF, TAB, NUL, DEL …) are
/// written as escapes (`\r`, `\n`, `\u{0}`), so a value that came with a request — a `client_id`, a
/// `kid`, a description quoting either — cannot end the line and forge another (CWE-117).
///
/// `ServerLogHandler` applies it to every message, metadata key and metadata value it passes on, so no
/// call site has to remember to.
enum LogLineEscaping {
    /// `text` with every control character escaped; `text` itself when it has none (the common case).
    static func escaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func escaped(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string(let text): return .string(escaped(text))
        case .stringConvertible(let convertible): return .string(escaped(convertible.description))
        case .array(let values): return .array(values.map(escaped))
        case .dictionary(let members): return .dictionary(escaped(members))
        }
    }

    static func escaped(_ metadata: Logger.Metadata) -> Logger.Metadata {
        // A request's line has a dozen clean fields: copy the dictionary only when one needs escaping.
        guard metadata.contains(where: { needsEscaping($0.key) || needsEscaping($0.value) }) else { return metadata }
        var out: Logger.Metadata = [:]
        out.reserveCapacity(metadata.count)
        for (key, value) in metadata { out[escaped(key)] = escaped(value) }
        return out
    }

    /// `event` with its message and metadata escaped; `event` itself when nothing needs it.
    static func escaped(_ event: LogEvent) -> LogEvent {
        var event = event
        let message = event.message.description
        if needsEscaping(message) { event.message = Logger.Message(stringLiteral: escaped(message)) }
        if let metadata = event.metadata { event.metadata = escaped(metadata) }
        return event
    }

    private static func needsEscaping(_ text: String) -> Bool {
        text.utf8.contains { $0 < 0x20 || $0 == 0x7F }
    }

    private static func needsEscaping(_ value: Logger.MetadataValue) -> Bool {
        switch value {
        case .string(let text): return needsEscaping(text)
        // Integers (status, durations) print digits only; any other value is judged by its text.
        case .stringConvertible(let convertible): return !(convertible is any BinaryInteger) && needsEscaping(convertible.description)
        case .array(let values): return values.contains(where: needsEscaping)
        case .dictionary(let members): return members.contains { needsEscaping($0.key) || needsEscaping($0.value) }
        }
    }
}
