import ArgumentParser
import Foundation
import TesseraCore
import TesseraSQLite
import TesseraStore

/// `--data-dir`, shared by `serve` and every admin command so they find the same database.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory of the SQLite database and master key (env TESSERA_DATA_DIR; default ./tessera-data).")
    var dataDir: String?

    var resolvedDataDir: String {
        dataDir ?? ProcessInfo.processInfo.environment["TESSERA_DATA_DIR"] ?? "./tessera-data"
    }

    /// Opens (creating on first use) the data directory: database, master key, `default` server.
    func open(observer: (@Sendable (String, Duration) -> Void)? = nil) async throws -> OpenedData {
        try await OpenedData.open(directory: resolvedDataDir, observer: observer)
    }
}

/// An open data directory: the SQLite store and the master key.
struct OpenedData {
    let store: SQLiteStore
    let masterKey: MasterKey
    let directory: String
    let createdDefaultServer: Bool

    var stores: Stores { Stores(store) }
    var administration: Administration { Administration(stores: stores, masterKey: masterKey) }

    static func open(directory: String, observer: (@Sendable (String, Duration) -> Void)? = nil) async throws -> OpenedData {
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
        await OpenStores.shared.register(store)
        let created = try await Administration(stores: Stores(store), masterKey: masterKey).bootstrapDefaultServer()
        return OpenedData(store: store, masterKey: masterKey, directory: directory, createdDefaultServer: created)
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
/// connections must be closed explicitly).
actor OpenStores {
    static let shared = OpenStores()
    private var stores: [SQLiteStore] = []

    func register(_ store: SQLiteStore) {
        stores.append(store)
    }

    func closeAll() async {
        for store in stores { await store.close() }
        stores.removeAll()
    }
}
