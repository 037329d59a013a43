import Foundation
import Logging
import PostgresNIO
import Synchronization
import TesseraStore

/// The backend for several nodes on one database: every store protocol on PostgreSQL through
/// postgres-nio's connection pool.
///
/// Shared state lives only in the database (assertion `jti`s, the deny list, token records), so any
/// node can answer any request. Each node caches configuration; a trigger moves `change_version`
/// and notifies `tessera_changes` on every change, which the store hears through LISTEN and
/// passes to `observeChanges` handlers.
public final class PostgresStore: Sendable {
    let client: PostgresClient
    public let location: PostgresLocation
    let logger: Logger
    /// Told the kind (`SELECT`, `INSERT`, …) and duration of every statement, for the latency metric.
    let observer: (@Sendable (String, Duration) -> Void)?
    private let tasks = Mutex<[Task<Void, Never>]>([])

    /// How long a request-path statement may wait for a connection and an answer before the request
    /// fails with `temporarily_unavailable` (the pool would otherwise queue it while the database is down).
    static let requestDeadline: Duration = .seconds(5)

    private init(client: PostgresClient, location: PostgresLocation, logger: Logger, observer: (@Sendable (String, Duration) -> Void)?) {
        self.client = client
        self.location = location
        self.logger = logger
        self.observer = observer
    }

    /// Connects, checks the credentials and applies pending migrations. With `migrate` false the
    /// schema must already be current, unless `requireCurrentSchema` is false too (`tessera migrate`).
    public static func open(_ location: PostgresLocation, migrate: Bool = true, requireCurrentSchema: Bool = true,
                            logger: Logger = Logger(label: "tessera.postgres"),
                            observer: (@Sendable (String, Duration) -> Void)? = nil) async throws -> PostgresStore {
        // One direct connection first: the pool would retry a wrong password or a closed port quietly
        // until the deadline, where a person starting the server wants the reason at once.
        do {
            let probe = try await PostgresConnection.connect(configuration: try location.connectionConfiguration(), id: 0, logger: logger)
            try? await probe.close()
        } catch {
            throw StoreError.unavailable("cannot use the database \(location): \(Self.describe(error))")
        }
        var poolLogger = logger
        poolLogger.logLevel = .warning // the pool reports every reconnection attempt at info
        let client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: poolLogger)
        let store = PostgresStore(client: client, location: location, logger: logger, observer: observer)
        // The pool warns ("run() hasn't been called yet") when leased before `run()` began: return only once
        // the task running it has started, which enters `run()` at once.
        await withCheckedContinuation { (started: CheckedContinuation<Void, Never>) in
            store.tasks.withLock { $0.append(Task {
                started.resume()
                await client.run()
            }) }
        }
        do {
            if migrate {
                try await store.migrate()
            } else if requireCurrentSchema, case let version = try await store.schemaVersion(), version < PostgresSchema.latestVersion {
                throw StoreError.unavailable("the database \(location) is at schema version \(version), this tessera needs "
                    + "\(PostgresSchema.latestVersion); run `tessera migrate` first (or start without --no-migrate)")
            }
        } catch {
            await store.close()
            if let error = error as? StoreError { throw error }
            throw StoreError.unavailable("cannot use the database \(location): \(Self.describe(error))")
        }
        return store
    }

    public func close() async {
        let running = tasks.withLock { tasks in
            defer { tasks.removeAll() }
            return tasks
        }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }

    /// The schema version applied (0 for an empty database).
    public func schemaVersion() async throws(StoreError) -> Int {
        let rows = try await run("SELECT to_regclass('schema_migrations') IS NOT NULL AS present", deadline: .seconds(10))
        guard try rows.first?.bool("present") == true else { return 0 }
        return try await run("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations").first?.int("version") ?? 0
    }

    /// Applies pending migrations under an advisory lock, each in its own transaction; returns the
    /// versions applied. Safe to run from several nodes at once.
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await client.withConnection { connection in
            _ = try await connection.query("SELECT pg_advisory_lock(\(PostgresSchema.migrationLock))", logger: logger)
            do {
                _ = try await connection.query(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)",
                    logger: logger)
                let rows = try await connection.query("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations", logger: logger).collect()
                let current = try rows.first.map { try PostgresRowReader($0).int("version") } ?? 0
                var applied: [Int] = []
                for migration in PostgresSchema.migrations where migration.version > current {
                    try await connection.withTransaction(logger: logger) { connection in
                        for statement in migration.statements {
                            _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        let now = Date().timeIntervalSince1970
                        _ = try await connection.query("INSERT INTO schema_migrations (version, applied_at) VALUES (\(migration.version), \(now))", logger: logger)
                    }
                    applied.append(migration.version)
                }
                _ = try await connection.query("SELECT pg_advisory_unlock(\(PostgresSchema.migrationLock))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(PostgresSchema.migrationLock))", logger: logger)
                throw error
            }
        }
    }

    /// Runs a statement — values go in through postgres-nio's query interpolation (`\(value)` becomes a
    /// `$n` bind) — and returns its rows, translating errors into `StoreError` and giving up after `deadline`.
    @discardableResult
    func run(_ query: PostgresQuery, duplicate: String? = nil,
             deadline: Duration = PostgresStore.requestDeadline) async throws(StoreError) -> [PostgresRowReader] {
        let started = ContinuousClock.now
        defer {
            if let observer {
                let kind = SQLStatementKind.of(query.sql)
                observer(kind, ContinuousClock.now - started)
            }
        }
        return try await guarded(deadline: deadline, duplicate: duplicate) { [client, logger] in
            try await client.query(query, logger: logger).collect().map(PostgresRowReader.init)
        }
    }

    /// Runs an UPDATE/DELETE and throws `notFound` when it touched no row.
    func change(_ query: PostgresQuery, missing: String) async throws(StoreError) {
        var query = query
        query.sql += " RETURNING 1 AS touched"
        if try await run(query).isEmpty { throw StoreError.notFound(missing) }
    }

    /// Runs `body` in one transaction, with the same deadline and error translation as `run`.
    func transaction<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws(StoreError) -> Result {
        try await guarded(deadline: Self.requestDeadline) { [client, logger] in
            do {
                return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            } catch let error as PostgresTransactionError where error.closureError is StoreError {
                // A store error the body threw (after the rollback) is the caller's to see, as thrown.
                throw error.closureError!
            }
        }
    }

    /// Gives `body` its deadline and translates what it throws into `StoreError`.
    private func guarded<Result: Sendable>(deadline: Duration, duplicate: String? = nil,
                                           _ body: @escaping @Sendable () async throws -> Result) async throws(StoreError) -> Result {
        do {
            return try await withDeadline(deadline, onTimeout: {
                StoreError.unavailable("the database did not answer within \(deadline.components.seconds) s")
            }, body)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw StoreError.alreadyExists(duplicate ?? "record")
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.unavailable(Self.describe(error))
        }
    }

    /// A one-line reason for a PostgreSQL failure, without credentials (postgres-nio's own description
    /// is deliberately generic).
    static func describe(_ error: any Error) -> String {
        if let error = error as? StoreError { return error.description }
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let message = error.serverInfo?[.message] {
            let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return message + state
        }
        if let connection = error.underlying as? NIOConnectionError, let first = connection.connectionErrors.first {
            return "could not connect to \(first.target): \(first.error)"
        }
        if let underlying = error.underlying as? PSQLError {
            return describe(underlying)
        }
        if let underlying = error.underlying {
            return "\(error.code): \(underlying)"
        }
        return "\(error.code)"
    }

    // MARK: Change notifications

    public func observeChanges(_ handler: @escaping @Sendable () async -> Void) {
        let task = Task { [client, logger] in
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: PostgresSchema.changeChannel) { notifications in
                            // Anything may have changed while not listening.
                            await handler()
                            for try await _ in notifications { await handler() }
                        }
                    }
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("listening for changes failed; retrying in 1 s", metadata: ["error": .string(Self.describe(error))])
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        tasks.withLock { $0.insert(task, at: 0) }
    }
}

extension Data {
    /// The bytes as postgres-nio binds a `bytea` without a throwing encoder (`Data`'s own is a throwing one).
    var bytea: ByteBuffer { ByteBuffer(bytes: self) }
}
