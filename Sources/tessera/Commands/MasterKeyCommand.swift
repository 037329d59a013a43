import ArgumentParser
import Foundation
import TesseraCore

/// `tessera master-key`: prints a new master key for `TESSERA_MASTER_KEY` (every node of a PostgreSQL
/// deployment needs the same one).
struct MasterKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "master-key", abstract: "Print a new random master key (base64) for TESSERA_MASTER_KEY.")

    func run() async throws {
        print(MasterKey.generate().encoded)
    }
}
