import Foundation
import TesseraSQLite

/// A throw-away SQLite database path in the temporary directory, and the removal of every file SQLite
/// and the store put beside it (WAL, shared memory, the assertion claim lock).
enum SQLiteTestFile {
    static func path(_ purpose: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tessera-\(purpose)-\(UUID().uuidString).sqlite").path
    }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-claims.lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// Runs `body` with a store opened at `path` and closes it whether `body` returns or throws: sqlite-nio
    /// stops the whole test process when a connection is dropped unclosed, which would hide the failure.
    static func withStore<T>(at path: String, _ body: (SQLiteStore) async throws -> T) async throws -> T {
        let store = try await SQLiteStore.open(path: path)
        do {
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }
}
