import ArgumentParser
import Foundation
import TesseraCore
import TesseraPostgres
import TesseraStore

/// `tessera migrate`: applies pending schema migrations by hand (for `serve --no-migrate` deployments).
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations (PostgreSQL with --database, or SQLite in --data-dir).")
    @OptionGroup var data: DataOptions

    func run() async throws {
        guard let location = try data.postgresLocation() else {
            _ = try await data.open()
            print("SQLite database in \(data.resolvedDataDir) is up to date")
            return
        }
        let store = try await OpenedData.openPostgres(location, migrate: false, requireCurrentSchema: false)
        let applied = try await store.migrate()
        print(applied.isEmpty ? "\(location) is up to date (schema version \(try await store.schemaVersion()))"
                              : "\(location): applied migrations \(applied.map(String.init).joined(separator: ", "))")
    }
}
