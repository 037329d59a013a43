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
        var out: Logger.Metadata = [:]
        out.reserveCapacity(metadata.count)
        for (key, value) in metadata { out[escaped(key)] = escaped(value) }
        return out
    }

    /// `event` with its message and metadata escaped.
    static func escaped(_ event: LogEvent) -> LogEvent {
        var event = event
        event.message = Logger.Message(stringLiteral: escaped(event.message.description))
        if let metadata = event.metadata { event.metadata = escaped(metadata) }
        return event
    }
}
