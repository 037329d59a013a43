import ArgumentParser
import TesseraCore

/// `tessera reason-codes`: prints the reason-code catalogue as Markdown (the source of docs/reason-codes.md).
struct ReasonCodes: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reason-codes", abstract: "Print the catalogue of rejection reason codes (Markdown).")

    func run() {
        print(ReasonCatalogue.markdown(), terminator: "")
    }
}
