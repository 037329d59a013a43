/// The first word of an SQL statement (`INSERT`, `SELECT`, …): the label both backends give the
/// store-latency metric. Computed for every statement, so it reads ASCII bytes and allocates nothing
/// for words that fit a small string.
public enum SQLStatementKind {
    public static func of(_ sql: String) -> String {
        var kind = ""
        for byte in sql.utf8 {
            let isSpace = byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t")
            if isSpace && kind.isEmpty { continue }
            let isLetter = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
            guard isLetter else { break }
            kind.unicodeScalars.append(Unicode.Scalar(byte & ~0x20))
        }
        return kind
    }
}
