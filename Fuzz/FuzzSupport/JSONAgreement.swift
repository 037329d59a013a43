import TesseraJSON

/// Equal values, numbers within a relative 1e-9: Foundation reads long numbers as 38-digit decimals, whose
/// conversion to a double is not correctly rounded (the reader's is); a misread digit is far larger.
public func agree(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case let (.number(x), .number(y)): return x == y || abs(x - y) <= max(abs(x), abs(y)) * 1e-9
    case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy(agree)
    case let (.object(x), .object(y)): return x.count == y.count && x.allSatisfy { key, value in y[key].map { agree(value, $0) } ?? false }
    default: return a == b
    }
}
