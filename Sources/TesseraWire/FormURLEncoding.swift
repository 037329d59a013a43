/// application/x-www-form-urlencoded (WHATWG URL §5), both ways: how OAuth requests carry their
/// parameters (RFC 6749 Appendix B) and how a Basic header encodes a client's id and secret.
/// Decoding: `+` is a space, `%XX` a byte, and the result must be UTF-8. Encoding: letters, digits and
/// `*-._` as they are, a space as `+`, every other byte as `%XX`.
public enum FormURLEncoding {
    /// A form body (or query) of `parameters`, in the order given: `name=value` pairs joined by `&`.
    public static func encode(_ parameters: [(String, String)]) -> String {
        parameters.map { encodeComponent($0.0) + "=" + encodeComponent($0.1) }.joined(separator: "&")
    }

    /// One name or value, encoded.
    public static func encodeComponent(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                out.append(byte)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// One name or value, decoded; nil when its percent-encoding is broken or it is not UTF-8.
    public static func decodeComponent(_ text: String) -> String? {
        decodeComponent(Array(text.utf8)[...])
    }

    /// One name or value given as bytes, decoded; nil when its percent-encoding is broken or it is not UTF-8.
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
