import Foundation
import FuzzSupport
import TesseraCore
@testable import TesseraHTTP

/// Differential fuzzing of `BasicCredentials.parse` against a reference built from Foundation
/// (`Data(base64Encoded:)`, `removingPercentEncoding`): the parser accepts exactly the headers the
/// reference decodes, with the same id and secret, and never traps.
@main enum Fuzzer {
    static func main() { runFuzzer(check) }
}

func check(_ input: UnsafeBufferPointer<UInt8>) {
    let header = String(decoding: input, as: UTF8.self)
    let ours: BasicCredentials?
    do {
        ours = try BasicCredentials.parse(authorizationHeader: header)
    } catch {
        if let expected = reference(header) ?? nil {
            fatalError("parse refused \(Array(header.utf8)) (\(error)) that decodes to \(expected)")
        }
        return
    }
    switch reference(header) {
    case nil:
        guard ours == nil else { fatalError("parse read a non-Basic header \(Array(header.utf8)) as \(String(describing: ours))") }
    case .some(nil):
        fatalError("parse accepted \(Array(header.utf8)), which the reference refuses, as \(String(describing: ours))")
    case .some(let expected?):
        guard ours == expected else { fatalError("parse read \(Array(header.utf8)) as \(String(describing: ours)), expected \(expected)") }
    }
}

/// nil: not a Basic header; .some(nil): a malformed one; .some(credentials): what it carries.
func reference(_ header: String) -> BasicCredentials?? {
    let trimmed = header.drop { $0 == " " }
    guard let space = trimmed.firstIndex(of: " ") ?? (trimmed.lowercased() == "basic" ? trimmed.endIndex : nil),
          trimmed[..<space].lowercased() == "basic", trimmed[..<space].allSatisfy(\.isASCII) else { return nil }
    var encoded = String(trimmed[space...])
    while encoded.hasPrefix(" ") { encoded.removeFirst() }
    while encoded.hasSuffix(" ") { encoded.removeLast() }
    // Padded base64 as RFC 4648 §4 has it: Foundation alone also takes a length that is not a multiple of 4
    // and more than two '='.
    // The colon is found among the bytes: in a String a combining mark after it makes one character of both.
    let padding = encoded.reversed().prefix { $0 == "=" }.count
    guard !encoded.isEmpty, encoded.utf8.count % 4 == 0, padding <= 2, !encoded.dropLast(padding).contains("="), let decoded = Data(base64Encoded: encoded), String(data: decoded, encoding: .utf8) != nil,
          let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { return .some(nil) }
    func component(_ part: Data) -> String? {
        String(data: part, encoding: .utf8)?.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
    guard let id = component(decoded[..<colon]), let secret = component(decoded[(colon + 1)...]), !id.isEmpty else { return .some(nil) }
    return .some(BasicCredentials(clientID: id, secret: secret))
}
