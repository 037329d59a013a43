import Foundation
import FuzzSupport
import TesseraJSON

/// Differential fuzzing of `JSONReader` (the one JSON reader: claim sets, headers, stored columns)
/// against Foundation's `JSONSerialization`: whatever the reader accepts, Foundation accepts with the
/// same values (the reader is never more lenient), and nothing traps or overflows.
@main enum Fuzzer {
    static func main() { runFuzzer(check) }
}

func check(_ input: UnsafeBufferPointer<UInt8>) {
    let bytes = UnsafeRawBufferPointer(input)
    let foundation = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [])) as? [String: Any]
    do {
        let ours = try JSONReader.object(in: bytes)
        guard let foundation else { fatalError("JSONReader accepted what JSONSerialization refuses: \(Array(bytes))") }
        guard agree(.object(ours), .object(foundation.mapValues(JSONValue.init(foundation:)))) else {
            fatalError("JSONReader and JSONSerialization read different values from \(Array(bytes)): \(ours) vs \(foundation)")
        }
    } catch {
        // Refusals are not compared: Foundation on Linux accepts trailing commas and other
        // departures from RFC 8259 that the reader refuses on purpose (docs/security.md).
    }
}

extension JSONValue {
    /// Foundation's reading of a value as Tessera's value type (booleans told apart from numbers).
    init(foundation value: Any) {
        switch value {
        case let string as String: self = .string(string)
        case let number as NSNumber where ObjectIdentifier(type(of: number)) == ObjectIdentifier(type(of: NSNumber(value: true))):
            self = .bool(number.boolValue)
        case let number as NSNumber: self = .number(number.doubleValue)
        case let array as [Any]: self = .array(array.map(JSONValue.init(foundation:)))
        case let object as [String: Any]: self = .object(object.mapValues(JSONValue.init(foundation:)))
        default: self = .null
        }
    }
}
