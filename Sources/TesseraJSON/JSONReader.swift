/// Tessera's one JSON reader: a strict RFC 8259 reader for token headers and claim sets, stored claim
/// and list columns, and the documents Tessera and its resource-server library fetch.
///
/// It exists for speed and strictness: `JSONSerialization` and `JSONDecoder` build bridged objects and cast them back,
/// which costs a first-seen token more than anything else but its signature check (figures in
/// docs/performance.md; fuzzed against `JSONSerialization` by `FuzzJSONReader`, docs/security.md). This reader walks the bytes once and builds the values
/// directly. It is stricter than Foundation, never more lenient: no trailing commas, no comments, no
/// leading zeros, no control characters or invalid UTF-8 in strings, no lone surrogates, nothing after
/// the value; nesting deeper than `maximumDepth` is refused. A member named twice is refused
/// (RFC 7515 §4 and RFC 7519 §4 allow rejecting it; taking one value would let another library that
/// takes the other read a different token than Tessera judged).
public struct JSONReader {
    /// Nesting deeper than this is refused, as jwt-kit refuses deep headers (stack exhaustion).
    public static let maximumDepth = 32

    private typealias Value = JSONValue
    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The members of the JSON object in `bytes`; throws when `bytes` is not exactly one JSON object.
    public static func object(in bytes: UnsafeRawBufferPointer) throws(JSONError) -> [String: JSONValue] {
        var reader = JSONReader(bytes)
        reader.skipWhitespace()
        guard reader.peek() == UInt8(ascii: "{") else { throw JSONError("the JSON is not an object") }
        let members = try reader.readObject(depth: 0)
        try reader.expectEnd()
        return members
    }

    /// The one JSON value in `bytes` (any kind); throws when `bytes` is not exactly one JSON value.
    public static func value(in bytes: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
        var reader = JSONReader(bytes)
        let value = try reader.readValue(depth: 0)
        try reader.expectEnd()
        return value
    }

    /// The members of the JSON object in `bytes`.
    public static func object(in bytes: some Collection<UInt8>) throws(JSONError) -> [String: JSONValue] {
        try withContiguousBytes(of: bytes) { buffer throws(JSONError) in try object(in: buffer) }
    }

    /// The one JSON value in `bytes`.
    public static func value(in bytes: some Collection<UInt8>) throws(JSONError) -> JSONValue {
        try withContiguousBytes(of: bytes) { buffer throws(JSONError) in try value(in: buffer) }
    }

    /// The members of the JSON object in `text`.
    public static func object(in text: String) throws(JSONError) -> [String: JSONValue] { try object(in: text.utf8) }

    /// The one JSON value in `text`.
    public static func value(in text: String) throws(JSONError) -> JSONValue { try value(in: text.utf8) }

    private static func withContiguousBytes<T>(of bytes: some Collection<UInt8>,
                                               _ body: (UnsafeRawBufferPointer) throws(JSONError) -> T) throws(JSONError) -> T {
        let result: Result<T, JSONError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONError) in try body(UnsafeRawBufferPointer(buffer)) }
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBytes { buffer in Result { () throws(JSONError) in try body(buffer) } }.get()
    }

    private mutating func expectEnd() throws(JSONError) {
        skipWhitespace()
        guard index == bytes.count else { throw error("unexpected content after the JSON value") }
    }

    private func error(_ what: String) -> JSONError {
        JSONError("invalid JSON at byte \(index): \(what)")
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(JSONError) {
        skipWhitespace()
        guard peek() == byte else { throw error("expected \(what)") }
        index += 1
    }

    /// An object, the reader standing on its `{`; `depth` is how deep the object itself sits.
    private mutating func readObject(depth: Int) throws(JSONError) -> [String: Value] {
        index += 1
        var members: [String: Value] = [:]
        // A claim set has about ten members: one allocation instead of growing 1, 2, 4, 8, 16.
        if depth == 0 { members.reserveCapacity(12) }
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { index += 1; return members }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a member name in quotes") }
            let name = try readString()
            try expect(UInt8(ascii: ":"), "a colon after a member name")
            let value = try readValue(depth: depth + 1)
            // Names are compared after unescaping, so `\u0073ub` beside `sub` is a duplicate too.
            guard members.updateValue(value, forKey: name) == nil else {
                throw error("the member \"\(name.prefix(40))\" appears twice; each member may appear once")
            }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return members
            default: throw error("expected a comma or the end of the object")
            }
        }
    }

    private mutating func readArray(depth: Int) throws(JSONError) -> [Value] {
        index += 1
        var elements: [Value] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { index += 1; return elements }
        while true {
            elements.append(try readValue(depth: depth + 1))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return elements
            default: throw error("expected a comma or the end of the array")
            }
        }
    }

    private mutating func readValue(depth: Int) throws(JSONError) -> Value {
        guard depth <= Self.maximumDepth else {
            throw JSONError("the JSON nests deeper than \(Self.maximumDepth) levels")
        }
        skipWhitespace()
        guard let byte = peek() else { throw error("the JSON ends where a value was expected") }
        switch byte {
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "{"): return .object(try readObject(depth: depth))
        case UInt8(ascii: "["): return .array(try readArray(depth: depth))
        case UInt8(ascii: "t"): try readLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try readLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try readLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
        default: throw error("expected a value")
        }
    }

    private mutating func readLiteral(_ literal: StaticString) throws(JSONError) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw error("expected \(literal)") }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] { throw error("expected \(literal)") }
        index += count
    }

    /// A number per the RFC 8259 grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func readNumber() throws(JSONError) -> Double {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        var integer: UInt64 = 0
        var digits = 0
        if peek() == UInt8(ascii: "0") {
            index += 1
            digits = 1
        } else {
            while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                if digits < 18 { integer = integer * 10 + UInt64(byte - UInt8(ascii: "0")) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { throw error("expected a digit") }
        }
        var simple = digits <= 15
        if peek() == UInt8(ascii: ".") {
            index += 1
            simple = false
            guard skipDigits() else { throw error("expected a digit after the decimal point") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            simple = false
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() else { throw error("expected a digit in the exponent") }
        }
        // Integers of up to 15 digits (timestamps, counts) are exact in a Double; the rest goes to the
        // standard library's correctly rounded conversion.
        if simple { return bytes[start] == UInt8(ascii: "-") ? -Double(integer) : Double(integer) }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let number = Double(text), number.isFinite else { throw error("the number \(text) is out of range") }
        return number
    }

    private mutating func skipDigits() -> Bool {
        let start = index
        while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
        return index > start
    }

    /// A string, the reader standing on its opening quote.
    private mutating func readString() throws(JSONError) -> String {
        index += 1
        let start = index
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                index += 1
                if ascii { return String(decoding: raw, as: UTF8.self) }
                guard let string = String(validating: raw, as: UTF8.self) else { throw error("a string is not valid UTF-8") }
                return string
            }
            if byte == UInt8(ascii: "\\") { return try readEscapedString(from: start) }
            if byte < 0x20 { throw error("a control character in a string must be escaped") }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        throw error("a string is not terminated")
    }

    /// The slow path of `readString`, for strings with escapes: `start` is just after the opening quote,
    /// the reader on the first backslash.
    private mutating func readEscapedString(from start: Int) throws(JSONError) -> String {
        var utf8 = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = String(validating: utf8, as: UTF8.self) else { throw error("a string is not valid UTF-8") }
                return string
            case UInt8(ascii: "\\"):
                guard let escape = peek() else { break }
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"): utf8.append(contentsOf: try readUnicodeEscape())
                default: throw error("\\\(Unicode.Scalar(escape)) is not a JSON escape")
                }
            case 0..<0x20:
                throw error("a control character in a string must be escaped")
            default:
                utf8.append(byte)
            }
        }
        throw error("a string is not terminated")
    }

    /// The scalar of `\uXXXX` (the reader after the `u`), joining a surrogate pair; a lone surrogate is an error.
    private mutating func readUnicodeEscape() throws(JSONError) -> Unicode.Scalar.UTF8View {
        let first = try readHex4()
        var value = UInt32(first)
        if (0xD800..<0xDC00).contains(first) {
            guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw error("a high surrogate escape is not followed by a low one")
            }
            index += 2
            let second = try readHex4()
            guard (0xDC00..<0xE000).contains(second) else { throw error("a high surrogate escape is not followed by a low one") }
            value = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(value) else { throw error("a lone low surrogate escape") }
        return scalar.utf8
    }

    private mutating func readHex4() throws(JSONError) -> UInt16 {
        guard bytes.count - index >= 4 else { throw error("a \\u escape needs four hex digits") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("a \\u escape needs four hex digits")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }
}
