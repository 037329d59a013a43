import Foundation

/// A throw-away SQLite database path in the temporary directory, and the removal of every file SQLite
/// and the store put beside it (WAL, shared memory, the assertion claim lock).
enum SQLiteTestFile {
    static func path(_ purpose: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tessera-\(purpose)-\(UUID().uuidString).sqlite").path
    }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-claims.lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
