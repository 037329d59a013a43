/// application/x-www-form-urlencoded decoding of one component: `+` is a space, `%XX` a byte,
/// and the result must be UTF-8.
public enum FormDecoding {
    public static func decodeComponent(_ text: String) -> String? {
        decodeComponent(Array(text.utf8)[...])
    }

    public static func decodeComponent(_ bytes: ArraySlice<UInt8>) -> String? {
        // Most components (ids, tokens, assertions) are plain ASCII with nothing to decode: such bytes are
        // valid UTF-8 as they are, and `String(decoding:)` skips the generic validating initialiser.
        if !needsDecoding(bytes) {
            return String(decoding: bytes, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard bytes.endIndex - index >= 3,
                      let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) else { return nil }
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return String(validating: out, as: UTF8.self)
    }

    /// Whether any byte is `%`, `+` or non-ASCII. One pass without early exit over the raw bytes, which the
    /// compiler vectorises: tokens and assertions are hundreds of bytes, and every one of them is scanned.
    private static func needsDecoding(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var found: UInt8 = 0
            for byte in buffer {
                found |= (byte == UInt8(ascii: "%") ? 1 : 0) | (byte == UInt8(ascii: "+") ? 1 : 0) | (byte & 0x80)
            }
            return found != 0
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
