import Foundation
import Testing
@testable import TesseraCore

/// The cache key of verified tokens and rendered answers: the digest in four words must be the stored
/// bytes, and keys must be equal only when all 32 bytes are (it hashes one word).
@Suite struct TokenDigestTests {
    @Test func theWordsAreTheStoredDigestBytes() {
        for token in ["", "a", "eyJhbGciOiJFUzI1NiJ9.e30.sig", String(repeating: "x", count: 4096)] {
            #expect(TokenDigest(of: token).data == Hashing.sha256(token), "digest of \(token.prefix(20))")
        }
    }

    @Test func keysDifferingOnlyAfterTheHashedWordAreDifferentEntries() {
        var first = [UInt8](repeating: 7, count: 32)
        var second = first
        second[31] = 8
        let a = Self.digest(first), b = Self.digest(second)
        #expect(a.hashValue == b.hashValue, "the same first word hashes alike")
        #expect(a != b)
        var table: [TokenDigest: String] = [a: "first"]
        table[b] = "second"
        #expect(table.count == 2 && table[a] == "first" && table[b] == "second")
        first[0] = 1
        #expect(Self.digest(first) != a)
    }

    static func digest(_ bytes: [UInt8]) -> TokenDigest {
        bytes.withUnsafeBytes { TokenDigest(bytes: $0) }
    }
}
