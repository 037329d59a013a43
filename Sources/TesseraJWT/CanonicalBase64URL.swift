/// The canonical form of a JWS part (RFC 7515 §2, RFC 4648 §3.5): base64url with no padding and no
/// bits set past the last encoded byte.
///
/// The decoder Tessera uses accepts `=` padding and ignores the unused low bits of the last
/// character, so `eyJhbGciOi…J9`, `…J9=` and a last character one off all decode to the same header.
/// A token then has several spellings, each with its own hash (the cache and deny-list keys) and each
/// possibly read differently by another library; only the canonical one is accepted.
enum CanonicalBase64URL {
    /// Why `part` is not canonical base64url, or nil when it is. Checks only what the decoder lets
    /// through (padding, length, unused bits); the alphabet is the decoder's job.
    static func problem(in part: ArraySlice<UInt8>) -> String? {
        if part.contains(UInt8(ascii: "=")) { return "has '=' padding, which a JWS leaves out" }
        switch part.count % 4 {
        case 1: return "has a length that no base64url text has"
        case 2: return unusedBits(of: part, mask: 0x0F) ? "sets bits past its last byte" : nil
        case 3: return unusedBits(of: part, mask: 0x03) ? "sets bits past its last byte" : nil
        default: return nil
        }
    }

    /// Whether the last character's value has any of `mask`'s bits set (a character outside the
    /// alphabet is left to the decoder to refuse).
    private static func unusedBits(of part: ArraySlice<UInt8>, mask: UInt8) -> Bool {
        guard let last = part.last, let value = value(of: last) else { return false }
        return value & mask != 0
    }

    private static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): return 62
        case UInt8(ascii: "_"): return 63
        default: return nil
        }
    }
}
