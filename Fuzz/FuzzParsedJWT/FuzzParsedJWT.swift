import Foundation
import FuzzSupport
import JWTKit
import TesseraCore
import TesseraJWT

/// Differential fuzzing of `ParsedJWT` against jwt-kit's parser, on whole compact tokens: whatever
/// `ParsedJWT` accepts, jwt-kit parses to the same header fields, the same claims and the same
/// signature bytes. `ParsedJWT` may refuse more (padding, stray bits, `crit`, duplicate members, times
/// are not judged here), never less. A reference check of the canonical base64url rule runs beside it.
@main enum Fuzzer {
    static func main() { runFuzzer(check) }
}

func check(_ input: UnsafeBufferPointer<UInt8>) {
    let token = String(decoding: input, as: UTF8.self)
    guard let ours = try? ParsedJWT<AccessTokenPayload>(parsing: token) else { return }
    guard let theirs = try? DefaultJWTParser().parse(Array(token.utf8), as: AccessTokenPayload.self) else {
        fatalError("ParsedJWT accepted a token jwt-kit refuses: \(Array(token.utf8))")
    }
    guard ours.header.fields == theirs.header.fields else {
        fatalError("headers differ for \(Array(token.utf8)): \(ours.header.fields) vs \(theirs.header.fields)")
    }
    guard agree(.object(ours.claims.claims), .object(theirs.payload.claims)) else {
        fatalError("claims differ for \(Array(token.utf8)): \(ours.claims.claims) vs \(theirs.payload.claims)")
    }
    guard ours.signature == Array(theirs.signature) else { fatalError("signatures differ for \(Array(token.utf8))") }
    // Canonical base64url: re-encoding each part gives back exactly the text that was accepted.
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, Base64URL.encode(ours.signature) == parts[2] else {
        fatalError("a non-canonical signature was accepted: \(Array(token.utf8))")
    }
}
