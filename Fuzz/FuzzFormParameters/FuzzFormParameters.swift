import Foundation
import FuzzSupport
import TesseraCore
@testable import TesseraHTTP

/// Differential fuzzing of `FormParameters` (the body and query-string parser) against a reference
/// decoder written plainly beside it: the parser accepts exactly the inputs
/// the reference decodes without a repeated name, with the same names and values in the same order.
@main enum Fuzzer {
    static func main() { runFuzzer(check) }
}

func check(_ input: UnsafeBufferPointer<UInt8>) {
    let bytes = Array(input)
    let expected = reference(bytes)
    do {
        let ours = try FormParameters(parsing: bytes, origin: "request body")
        guard let expected else { fatalError("FormParameters accepted \(bytes), which the reference refuses") }
        guard ours.pairs.map({ [$0.name, $0.value] }) == expected.map({ [$0.0, $0.1] }) else {
            fatalError("FormParameters read \(bytes) as \(ours.pairs), the reference as \(expected)")
        }
    } catch {
        if let expected { fatalError("FormParameters refused \(bytes) (\(error.description)), which the reference reads as \(expected)") }
    }
}

/// The pairs of an application/x-www-form-urlencoded text, empty values dropped; nil when a component
/// is not percent-encoded UTF-8 or a name other than `resource` repeats.
func reference(_ bytes: [UInt8]) -> [(String, String)]? {
    var pairs: [(String, String)] = []
    for piece in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
        let (rawName, rawValue) = piece.firstIndex(of: UInt8(ascii: "=")).map { (piece[..<$0], piece[($0 + 1)...]) } ?? (piece[...], [][...])
        // Byte by byte as RFC 3986 §2.1 and the WHATWG form rules say (Foundation's removingPercentEncoding
        // turns invalid UTF-8 into U+FFFD instead of failing, so it cannot serve as the reference).
        func decode(_ part: ArraySlice<UInt8>) -> String? {
            var out: [UInt8] = []
            var index = part.startIndex
            while index < part.endIndex {
                switch part[index] {
                case UInt8(ascii: "+"): out.append(UInt8(ascii: " "))
                case UInt8(ascii: "%"):
                    guard index + 2 < part.endIndex + 0, part.endIndex - index >= 3,
                          let byte = UInt8(String(decoding: part[(index + 1)...(index + 2)], as: UTF8.self), radix: 16),
                          part[(index + 1)...(index + 2)].allSatisfy({ UInt8(ascii: "0")...UInt8(ascii: "9") ~= $0 || UInt8(ascii: "a")...UInt8(ascii: "f") ~= $0 | 0x20 })
                    else { return nil }
                    out.append(byte)
                    index += 2
                default: out.append(part[index])
                }
                index += 1
            }
            return String(validating: out, as: UTF8.self)
        }
        guard let name = decode(rawName), let value = decode(rawValue) else { return nil }
        if value.isEmpty { continue }
        if name != "resource", pairs.contains(where: { $0.0 == name }) { return nil }
        pairs.append((name, value))
    }
    return pairs
}
