import Foundation
import Logging
import PostgresNIO
import Testing
import TesseraPostgres

/// The PostgreSQL server the tests use: `TESSERA_TEST_POSTGRES_URL` (started by `scripts/pg-cluster`,
/// which `.ci/run` calls). Each test gets a database of its own.
///
/// Outside CI the PostgreSQL tests are skipped, with this reason, when the variable is unset; in CI
/// (`CI` set) they run and fail loudly without it.
enum TestPostgres {
    static let url = ProcessInfo.processInfo.environment["TESSERA_TEST_POSTGRES_URL"]
    static let inCI = ProcessInfo.processInfo.environment["CI"] != nil
    static let enabled = url != nil || inCI
    static let skipReason: Comment = "TESSERA_TEST_POSTGRES_URL is unset: start a cluster with `scripts/pg-cluster start DIR` and export what it prints"
    /// How the tests stop and start the server (`pg_ctl -D …`), for the restart test.
    static let control = ProcessInfo.processInfo.environment["TESSERA_TEST_POSTGRES_CTL"]

    static func serverLocation() throws -> PostgresLocation {
        let url = try #require(url, "TESSERA_TEST_POSTGRES_URL must be set in CI (see scripts/pg-cluster)")
        return try PostgresLocation(url: url)
    }

    /// Creates an empty database and returns its location and URL.
    static func freshDatabase() async throws -> (location: PostgresLocation, url: String) {
        let server = try serverLocation()
        let name = "tessera_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await admin(server) { connection in
            _ = try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Logger(label: "test"))
        }
        let url = try #require(TestPostgres.url).replacingOccurrences(of: "/\(server.database)", with: "/\(name)")
        return (server.with(database: name), url)
    }

    static func admin(_ location: PostgresLocation, _ body: @Sendable (PostgresConnection) async throws -> Void) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: .init(host: location.host, port: location.port, username: location.username,
                                 password: passwordOf(TestPostgres.url ?? ""), database: location.database, tls: .disable),
            id: 1, logger: Logger(label: "test"))
        do { try await body(connection) } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    static func passwordOf(_ url: String) -> String? {
        URLComponents(string: url)?.password
    }
}
