import Foundation
import Testing
import TesseraCore

/// docs/reason-codes.md is generated from `ReasonCode`; this fails when the two drift.
@Suite struct ReasonCatalogueTests {
    @Test func documentedCatalogueMatchesTheCode() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/reason-codes.md")
        let written = try String(contentsOf: docs, encoding: .utf8)
        #expect(written == ReasonCatalogue.markdown(), "docs/reason-codes.md is stale: run `swift run tessera reason-codes > docs/reason-codes.md`")
    }

    @Test func reasonCodesAreUniqueDottedNamesWithAnExplanation() {
        let names = ReasonCode.allCases.map(\.rawValue)
        #expect(Set(names).count == names.count)
        for reason in ReasonCode.allCases {
            #expect(reason.rawValue.contains("."), "\(reason.rawValue)")
            #expect(reason.explanation.count > 20, "\(reason.rawValue)")
        }
    }
}
