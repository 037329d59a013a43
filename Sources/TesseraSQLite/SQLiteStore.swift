import Foundation
import Logging
import SQLiteNIO
import Synchronization
import TesseraStore

/// The embedded default backend: one SQLite file in WAL mode, shared safely with the admin CLI
/// running in another process (busy timeout, `PRAGMA data_version` as the change signal).
///
/// One connection serves the whole process: SQLite serialises writers anyway, and a single
/// connection keeps `data_version` moving only for other processes' commits, which is exactly what
/// cache invalidation needs. sqlite-nio runs every call on its thread pool, never on an event loop.
public final class SQLiteStore: Sendable {
    let connection: SQLiteConnection
    public let path: String
    /// Told the kind (`SELECT`, `INSERT`, …) and duration of every statement, for the latency metric.
    let observer: (@Sendable (String, Duration) -> Void)?
    /// Assertion claims: decided in memory once this store holds the claim lock, logged in groups.
    let claims = Mutex(ClaimState())
    /// The one takeover of the claim lock (reading the log), awaited by every claim that comes before it ends.
    let claimTakeover = Mutex<Task<Void, any Error>?>(nil)
    let claimLog = GroupCommit<ClaimRow>(groupLimit: 256)

    private init(connection: SQLiteConnection, path: String, observer: (@Sendable (String, Duration) -> Void)?) {
        self.connection = connection
        self.path = path
        self.observer = observer
    }

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    public static func open(path: String, logger: Logger = Logger(label: "tessera.sqlite"),
                            observer: (@Sendable (String, Duration) -> Void)? = nil) async throws -> SQLiteStore {
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        } catch {
            throw StoreError.unavailable("cannot open SQLite database at \(path): \(error)")
        }
        let store = SQLiteStore(connection: connection, path: path, observer: observer)
        do {
            _ = try await connection.query("PRAGMA busy_timeout = 5000")
            _ = try await connection.query("PRAGMA journal_mode = WAL")
            _ = try await connection.query("PRAGMA synchronous = NORMAL")
            try await store.migrate()
        } catch {
            try? await connection.close()
            throw StoreError.unavailable("cannot prepare SQLite database at \(path): \(error)")
        }
        return store
    }

    public func close() async {
        releaseAssertionClaims()
        try? await connection.close()
    }

    private func migrate() async throws {
        _ = try await connection.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)")
        _ = try await connection.query("BEGIN IMMEDIATE")
        do {
            let rows = try await connection.query("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations")
            let current = rows.first?.column("version")?.integer ?? 0
            for migration in SQLiteSchema.migrations where migration.version > current {
                for statement in migration.statements {
                    _ = try await connection.query(statement)
                }
                _ = try await connection.query("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                                               [.integer(migration.version), .float(Date().timeIntervalSince1970)])
            }
            _ = try await connection.query("COMMIT")
        } catch {
            _ = try? await connection.query("ROLLBACK")
            throw error
        }
    }

    /// Runs a statement, translating SQLite errors into `StoreError`.
    @discardableResult
    func run(_ sql: String, _ binds: [SQLiteData] = [], duplicate: String? = nil) async throws(StoreError) -> [SQLiteRow] {
        let started = ContinuousClock.now
        defer {
            if let observer {
                let kind = SQLStatementKind.of(sql)
                observer(kind, ContinuousClock.now - started)
            }
        }
        do {
            return try await connection.query(sql, binds)
        } catch let error as SQLiteError where error.reason == .constraint || error.reason == .constraintPrimaryKeyFailed || error.reason == .constraintUniqueFailed {
            throw StoreError.alreadyExists(duplicate ?? "record")
        } catch {
            throw StoreError.unavailable(String(describing: error))
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction on a connection of its own, so no statement of
    /// this process's other work lands in it; rolls back when `body` throws or `rollbackOn` its result.
    /// A `StoreError` thrown by `body` comes out as thrown, anything else as `unavailable`.
    func inOwnTransaction<T: Sendable>(_ step: String, rollbackOn: @Sendable (T) -> Bool = { _ in false },
                                       _ body: @Sendable (SQLiteConnection) async throws -> T) async throws(StoreError) -> T {
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: path))
        } catch {
            throw StoreError.unavailable("cannot open SQLite database at \(path): \(error)")
        }
        let outcome: Result<T, StoreError>
        do {
            _ = try await connection.query("PRAGMA busy_timeout = 5000")
            _ = try await connection.query("BEGIN IMMEDIATE")
            let result = try await body(connection)
            _ = try await connection.query(rollbackOn(result) ? "ROLLBACK" : "COMMIT")
            outcome = .success(result)
        } catch {
            _ = try? await connection.query("ROLLBACK")
            outcome = .failure((error as? StoreError) ?? .unavailable("\(step): \(error)"))
        }
        try? await connection.close()
        return try outcome.get()
    }

    /// Runs an UPDATE/DELETE and throws `notFound` when it touched no row.
    func change(_ sql: String, _ binds: [SQLiteData], missing: String) async throws(StoreError) {
        let rows = try await run(sql + " RETURNING 1 AS touched", binds)
        if rows.isEmpty { throw StoreError.notFound(missing) }
    }
}

extension SQLiteData {
    static func text(_ value: String?) -> SQLiteData { value.map { .text($0) } ?? .null }
    static func blob(_ value: Data?) -> SQLiteData { value.map { .blob(ByteBuffer(bytes: $0)) } ?? .null }
    static func date(_ value: Date) -> SQLiteData { .float(value.timeIntervalSince1970) }
    static func integer(_ value: Int?) -> SQLiteData { value.map { .integer($0) } ?? .null }
    /// A list of strings as JSON text (`ColumnText`, shared with the other backends).
    static func json(_ value: [String]) -> SQLiteData { .text(ColumnText.strings(value)) }
    /// A string map as JSON text (`ColumnText`).
    static func json(_ value: [String: String]) -> SQLiteData { .text(ColumnText.map(value)) }

    var data: Data? {
        if case .blob(let buffer) = self { return Data(buffer.readableBytesView) }
        return nil
    }
}

extension SQLiteRow {
    func text(_ name: String) -> String? { column(name)?.string }
    func int(_ name: String) -> Int { column(name)?.integer ?? 0 }
    func date(_ name: String) -> Date { Date(timeIntervalSince1970: column(name)?.double ?? 0) }
}
