import ExtrasBase64

/// Standard base64 (with padding), as HTTP Basic credentials use it.
public enum Base64Standard {
    public static func decode(_ text: String) -> [UInt8]? {
        try? Base64.decode(string: text)
    }

    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Base64.encodeToString(bytes: bytes)
    }
}
