

/// Tessera's one JSON writer: `JSONValue`s to compact JSON bytes, for tokens, introspection answers,
/// OAuth responses, metadata documents, stored columns and CLI output.
///
/// Token signing is on the hot path; building the payload directly is several times cheaper than a
/// `Codable` round trip. Members of `object(_:)` are written in the order given; `.object` values (a
/// dictionary) with their keys sorted, so output is stable.
public enum JSONWriter {
    /// `value` as an `Int64` when it is a whole number small enough to be exact (|value| < 10^15), which
    /// is written as integer digits (`1764504000`, not `1764504000.0`).
    public static func wholeNumber(_ value: Double) -> Int64? {
        value.rounded() == value && abs(value) < 1e15 ? Int64(value) : nil
    }

    /// `value` as compact JSON bytes.
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    /// `value` as compact JSON text.
    public static func text(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// A JSON object of `members`, in the order given, as compact JSON bytes.
    public static func object(_ members: [(String, JSONValue)]) -> [UInt8] {
        var out: [UInt8] = []
        // Tokens and introspection answers run to 300-500 bytes: one allocation for most of them.
        out.reserveCapacity(max(256, members.count * 40))
        writeObject(members, into: &out)
        return out
    }

    /// Appends a JSON object of `members`, in the order given, to `out`.
    public static func writeObject(_ members: [(String, JSONValue)], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, member) in members.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            writeString(member.0, into: &out)
            out.append(UInt8(ascii: ":"))
            write(member.1, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Appends `value` to `out`.
    public static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .string(let text): writeString(text, into: &out)
        case .number(let number):
            if let whole = wholeNumber(number) {
                writeInteger(whole, into: &out)
            } else if number.isFinite {
                out.append(contentsOf: "\(number)".utf8)
            } else {
                out.append(contentsOf: "null".utf8)
            }
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            writeObject(members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, into: &out)
        }
    }

    /// Decimal digits written in place: `String(n).utf8` allocated a string for every `exp`, `iat` and `nbf`.
    static func writeInteger(_ number: Int64, into out: inout [UInt8]) {
        if number < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0) // 24 bytes; an Int64 has at most 19 digits
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            out.append(contentsOf: buffer[start...])
        }
    }

    /// Appends `text` as a JSON string to `out`, escaping only what RFC 8259 requires.
    public static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Almost every string (ids, URLs, scopes) needs no escaping: scan its contiguous UTF-8 and copy it in one
        // go (scanning through `String.UTF8View` took a generic path per byte).
        var text = text
        let copied = text.withUTF8 { bytes in
            // One pass without early exit, which the compiler vectorises.
            var escaped: UInt8 = 0
            for byte in bytes { escaped |= (byte < 0x20 ? 1 : 0) | (byte == UInt8(ascii: "\"") ? 1 : 0) | (byte == UInt8(ascii: "\\") ? 1 : 0) }
            guard escaped == 0 else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if copied {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
