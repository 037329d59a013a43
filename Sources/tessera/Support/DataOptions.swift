import ArgumentParser
import Foundation
import TesseraCore
import TesseraPostgres
import TesseraSQLite
import TesseraStore

/// `--data-dir` and `--database`, shared by `serve` and every admin command so they find the same data.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory of the SQLite database and master key (env TESSERA_DATA_DIR; default ./tessera-data).")
    var dataDir: String?

    @Option(name: .customLong("database"),
            help: "A PostgreSQL database instead of SQLite, postgres://user:password@host:5432/db (env TESSERA_DATABASE_URL).")
    var database: String?

    var resolvedDataDir: String {
        dataDir ?? ProcessInfo.processInfo.environment["TESSERA_DATA_DIR"] ?? "./tessera-data"
    }

    /// The PostgreSQL database named by `--database` or `TESSERA_DATABASE_URL`, or nil for SQLite.
    func postgresLocation() throws -> PostgresLocation? {
        let environment = ProcessInfo.processInfo.environment["TESSERA_DATABASE_URL"]
        guard let text = database ?? (environment?.isEmpty == false ? environment : nil) else { return nil }
        do {
            return try PostgresLocation(url: text)
        } catch {
            throw CommandFailure(message: "\(database == nil ? "TESSERA_DATABASE_URL" : "--database"): \(error)")
        }
    }

    /// Opens (creating on first use) the data: database, master key, `default` server. `serving`: on
    /// SQLite, take the assertion claim lock now, so a second server on the same database stops at start.
    func open(migrate: Bool = true, serving: Bool = false, observer: (@Sendable (String, Duration) -> Void)? = nil) async throws -> OpenedData {
        try await OpenedData.open(directory: resolvedDataDir, postgres: try postgresLocation(), migrate: migrate, serving: serving, observer: observer)
    }
}

/// Open stores (SQLite in the data directory, or PostgreSQL) and the master key.
struct OpenedData {
    let stores: Stores
    let masterKey: MasterKey
    /// Where the data is, for messages: the data directory or the database URL without its password.
    let location: String
    let createdDefaultServer: Bool

    var administration: Administration { Administration(stores: stores, masterKey: masterKey) }

    static func open(directory: String, postgres: PostgresLocation? = nil, migrate: Bool = true, serving: Bool = false,
                     observer: (@Sendable (String, Duration) -> Void)? = nil) async throws -> OpenedData {
        guard let postgres else { return try await openSQLite(directory: directory, serving: serving, observer: observer) }
        let masterKey = try sharedMasterKey(directory: directory)
        let store = try await openPostgres(postgres, migrate: migrate, observer: observer)
        try await verify(masterKey, in: store)
        let created = try await Administration(stores: Stores(store), masterKey: masterKey).bootstrapDefaultServer()
        return OpenedData(stores: Stores(store), masterKey: masterKey, location: postgres.description, createdDefaultServer: created)
    }

    /// Opens the PostgreSQL store (closed before the process exits); a failure is one line, exit 1.
    static func openPostgres(_ location: PostgresLocation, migrate: Bool, requireCurrentSchema: Bool = true,
                             observer: (@Sendable (String, Duration) -> Void)? = nil) async throws -> PostgresStore {
        let store: PostgresStore
        do {
            store = try await PostgresStore.open(location, migrate: migrate, requireCurrentSchema: requireCurrentSchema, observer: observer)
        } catch StoreError.unavailable(let reason) {
            throw CommandFailure(message: reason)
        }
        await OpenStores.shared.register { await store.close() }
        return store
    }

    /// With PostgreSQL every node must decrypt the same signing keys, so the master key is never made
    /// up on the spot: `TESSERA_MASTER_KEY`, or an existing `master.key` in the data directory.
    static func sharedMasterKey(directory: String) throws -> MasterKey {
        let path = (directory as NSString).appendingPathComponent("master.key")
        let given = ProcessInfo.processInfo.environment["TESSERA_MASTER_KEY"].map { !$0.isEmpty } ?? false
        guard given || FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure(message: "with --database every node and admin command needs the same master key: set TESSERA_MASTER_KEY "
                + "(make one with `tessera master-key`) or put it in \(path)")
        }
        return try loadMasterKey(directory: directory)
    }

    static func openSQLite(directory: String, serving: Bool = false, observer: (@Sendable (String, Duration) -> Void)?) async throws -> OpenedData {
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CommandFailure(message: "cannot create data directory \(directory): \(Self.reason(error))")
        }
        guard files.isWritableFile(atPath: directory) else {
            throw CommandFailure(message: "data directory \(directory) is not writable")
        }
        let masterKey = try loadMasterKey(directory: directory)
        let store: SQLiteStore
        do {
            store = try await SQLiteStore.open(path: (directory as NSString).appendingPathComponent("tessera.sqlite"), observer: observer)
        } catch {
            throw CommandFailure(message: "\(error)")
        }
        await OpenStores.shared.register { await store.close() }
        try await verify(masterKey, in: store)
        if serving {
            do { try await store.takeAssertionClaims() } catch StoreError.unavailable(let reason) { throw CommandFailure(message: reason) }
        }
        let created = try await Administration(stores: Stores(store), masterKey: masterKey).bootstrapDefaultServer()
        return OpenedData(stores: Stores(store), masterKey: masterKey, location: directory, createdDefaultServer: created)
    }

    /// Stops at once when `masterKey` is not the key the database's secrets are sealed under.
    static func verify(_ masterKey: MasterKey, in store: any SealedDataStore) async throws {
        do {
            try await MasterKeyCheck.verify(masterKey, in: store, at: Date())
        } catch let error as MasterKeyError {
            throw CommandFailure(message: error.description)
        }
    }

    /// `TESSERA_MASTER_KEY`, or `master.key` beside the database (created `0600` on first use).
    static func loadMasterKey(directory: String) throws -> MasterKey {
        if let encoded = ProcessInfo.processInfo.environment["TESSERA_MASTER_KEY"], !encoded.isEmpty {
            do { return try MasterKey(encoded: encoded) } catch {
                throw CommandFailure(message: "TESSERA_MASTER_KEY is invalid: \(error)")
            }
        }
        let path = (directory as NSString).appendingPathComponent("master.key")
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            do { return try MasterKey(encoded: text) } catch {
                throw CommandFailure(message: "master key file \(path) is invalid: \(error)")
            }
        }
        let (key, encoded) = MasterKey.generate()
        guard FileManager.default.createFile(atPath: path, contents: Data((encoded + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CommandFailure(message: "cannot write master key file \(path)")
        }
        return key
    }

    static func reason(_ error: any Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }
}

/// Every store a command opened, closed by `Tessera.main` before the process exits (SQLite
/// connections and PostgreSQL pools must be closed explicitly).
actor OpenStores {
    static let shared = OpenStores()
    private var closers: [@Sendable () async -> Void] = []

    func register(_ close: @escaping @Sendable () async -> Void) {
        closers.append(close)
    }

    /// Closes every store, giving up after `limit` (a pool waiting for a connection that never comes
    /// back must not keep the process alive; everything answered was committed before this).
    func closeAll(limit: Duration = .seconds(5)) async {
        let closing = closers
        closers.removeAll()
        do {
            try await withDeadline(limit, onTimeout: { StoreError.unavailable("closing took longer than \(limit.components.seconds) s") }) {
                for close in closing { await close() }
            }
        } catch {
            FileHandle.standardError.write(Data("tessera: closing the database took longer than \(limit.components.seconds) s; exiting anyway\n".utf8))
        }
    }
}
