/// Renders the reason-code catalogue (`docs/reason-codes.md`) from `ReasonCode`, so the document is
/// generated from the code and a test can tell when it is stale.
public enum ReasonCatalogue {
    public static func markdown() -> String {
        var lines = [
            "# Reason codes",
            "",
            "Every rejection Tessera makes carries an RFC error code and a sentence for the caller, and one of",
            "these stable reason codes for operators (server log now, event log and metrics later). The list is",
            "generated from `ReasonCode` in `Sources/TesseraCore/Errors/ReasonCode.swift`:",
            "`swift run tessera reason-codes > docs/reason-codes.md`. A test fails when this file is stale.",
            "",
            "| reason | what it means and what to do |",
            "|---|---|",
        ]
        for reason in ReasonCode.allCases {
            lines.append("| `\(reason.rawValue)` | \(reason.explanation.replacingOccurrences(of: "|", with: "\\|")) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
