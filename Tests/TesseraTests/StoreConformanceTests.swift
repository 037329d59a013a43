import Foundation
import Testing
import SQLiteNIO
@testable import TesseraSQLite
import TesseraStore
import TesseraStoreTesting

/// Runs the shared store conformance suite against the SQLite backend, each check on a fresh file, and
/// against the in-memory store that core tests can use instead of a file.
@Suite struct StoreConformanceTests {
    @Test(arguments: StoreConformance.checks.map(\.name))
    func sqliteBackendConforms(_ check: String) async throws {
        let run = try #require(StoreConformance.checks.first { $0.name == check }?.run)
        let path = SQLiteTestFile.path("conformance")
        let store = try await SQLiteStore.open(path: path)
        do {
            try await run(Stores(store))
        } catch {
            Issue.record("SQLite: \(check): \(error)")
        }
        await store.close()
        SQLiteTestFile.remove(path)
    }

    @Test(arguments: StoreConformance.checks.map(\.name))
    func memoryBackendConforms(_ check: String) async throws {
        let run = try #require(StoreConformance.checks.first { $0.name == check }?.run)
        do {
            try await run(Stores(MemoryStore()))
        } catch {
            Issue.record("memory: \(check): \(error)")
        }
    }

    /// The purges run every minute on tables that grow with the deployment (events, the deny list): each
    /// must search an index on its column. A purge that scans reads the whole table under the write lock
    /// even when nothing is due (the event retention purge did: 440 ms on 4.9 million events).
    @Test func sqlitePurgesSearchAnIndexInsteadOfReadingTheTable() async throws {
        let path = SQLiteTestFile.path("plans")
        let store = try await SQLiteStore.open(path: path)
        let purges = [(SQLiteStore.eventRetentionPurge, [SQLiteData.float(0), .integer(1000)])]
            + SQLiteStore.expiryPurges.map { ($0.statement, [SQLiteData.float(0)]) }
        for (statement, binds) in purges {
            let plan = try await store.run("EXPLAIN QUERY PLAN " + statement, binds).compactMap { $0.text("detail") }
            #expect(plan.contains { $0.hasPrefix("SEARCH") } && !plan.contains { $0.hasPrefix("SCAN") }, "\(statement): \(plan)")
        }
        await store.close()
        SQLiteTestFile.remove(path)
    }

    @Test func sqliteMigrationsAreIdempotentAcrossReopen() async throws {
        let path = SQLiteTestFile.path("reopen")
        let first = try await SQLiteStore.open(path: path)
        try await first.createScope(Scope(server: "alpha", name: "kept"))
        await first.close()
        let second = try await SQLiteStore.open(path: path)
        #expect(try await second.scopes(server: "alpha").map(\.name) == ["kept"])
        await second.close()
        SQLiteTestFile.remove(path)
    }

    @Test func sqliteOpensInWALModeWithNormalSyncAndSQLitesCheckpointInterval() async throws {
        // 4,000-page checkpoints were tried: private_key_jwt's p99 went from 13 to 24 ms (docs/performance.md).
        let path = SQLiteTestFile.path("pragmas")
        let store = try await SQLiteStore.open(path: path)
        #expect(try await store.run("PRAGMA journal_mode").first?.column("journal_mode")?.string == "wal")
        #expect(try await store.run("PRAGMA synchronous").first?.column("synchronous")?.integer == 1, "NORMAL")
        #expect(try await store.run("PRAGMA wal_autocheckpoint").first?.column("wal_autocheckpoint")?.integer == 1000)
        await store.close()
        SQLiteTestFile.remove(path)
    }

    @Test func anotherConnectionsCommitMovesTheChangeVersion() async throws {
        let path = SQLiteTestFile.path("version")
        let server = try await SQLiteStore.open(path: path)
        let admin = try await SQLiteStore.open(path: path)
        let before = try await server.changeVersion()
        _ = try await server.claim(clientID: "c", jti: "own-write", expiresAt: Date().addingTimeInterval(60), now: Date())
        #expect(try await server.changeVersion() == before, "claiming a jti is no configuration change")
        try await admin.createScope(Scope(server: "alpha", name: "new"))
        #expect(try await server.changeVersion() == before + 1, "another connection's change is seen")
        #expect(try await server.changes(after: before, limit: 10) == [ConfigChange(version: before + 1, kind: .scopes, key: "alpha")])
        await server.close()
        await admin.close()
        SQLiteTestFile.remove(path)
    }
}
