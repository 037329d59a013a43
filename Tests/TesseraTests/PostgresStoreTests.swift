import Foundation
import Testing
import Logging
import PostgresNIO
@testable import TesseraPostgres
import TesseraStore
import TesseraStoreTesting

/// The shared store conformance suite on PostgreSQL, plus what only this backend has: migrations
/// under an advisory lock, the change version that triggers move, and clear failures at open.
@Suite(.enabled(if: TestPostgres.enabled, TestPostgres.skipReason)) struct PostgresStoreTests {
    @Test(arguments: StoreConformance.checks.map(\.name))
    func postgresBackendConforms(_ check: String) async throws {
        let run = try #require(StoreConformance.checks.first { $0.name == check }?.run)
        let database = try await TestPostgres.freshDatabase()
        let store = try await PostgresStore.open(database.location)
        do {
            try await run(Stores(store))
        } catch {
            Issue.record("PostgreSQL: \(check): \(error)")
        }
        await store.close()
    }

    @Test func nodesStartingTogetherApplyEachMigrationOnce() async throws {
        let database = try await TestPostgres.freshDatabase()
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresStore.open(database.location) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.count == 4)
        let first = try #require(stores.first)
        #expect(try await first.schemaVersion() == 13)
        #expect(try await first.migrate() == [], "a second migrate must find nothing to do")
        for store in stores { await store.close() }
    }

    /// `logs --follow` reads events by id: with several nodes writing, an id must never become visible after a
    /// higher one. An event batch holds the event order lock from before its ids are drawn to its commit, so
    /// a second writer waits, and draws higher ids, until the first has committed.
    @Test func eventIdsFollowCommitOrderAcrossWriters() async throws {
        let database = try await TestPostgres.freshDatabase()
        let node = try await PostgresStore.open(database.location)
        let logger = Logger(label: "test")
        @Sendable func event(_ requestID: String) -> Event {
            Event(time: Date(), requestID: requestID, server: "default", endpoint: "token", clientID: "c", outcome: .success, reason: nil, message: "issued")
        }
        try await TestPostgres.admin(database.location) { slowWriter in
            // A writer that drew its id and has not committed yet.
            _ = try await slowWriter.query("BEGIN", logger: logger)
            _ = try await slowWriter.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.eventOrderLock))", logger: logger)
            _ = try await slowWriter.query(PostgresStore.insertStatement([event("slow")][...]), logger: logger)
            let fast = Task { try await node.appendEvents([event("fast")]) }
            // Wait until the node's batch waits for the lock (an observable condition, not a fixed time).
            let deadline = ContinuousClock.now + .seconds(20)
            while try await slowWriter.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", logger: logger).collect().isEmpty {
                #expect(ContinuousClock.now < deadline, "the node's batch never waited for the lock")
                if ContinuousClock.now >= deadline { break }
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(try await node.events(matching: EventQuery(limit: 10)).isEmpty, "nothing is visible while the first writer has not committed")
            _ = try await slowWriter.query("COMMIT", logger: logger)
            try await fast.value
        }
        let events = try await node.events(matching: EventQuery(limit: 10))
        #expect(events.map(\.requestID) == ["slow", "fast"], "ids in commit order: \(events.map { "\($0.requestID) \($0.id ?? 0)" })")
        await node.close()
    }

    @Test func noMigrateRefusesAnEmptyDatabaseNamingTheFix() async throws {
        let database = try await TestPostgres.freshDatabase()
        await #expect {
            try await PostgresStore.open(database.location, migrate: false)
        } throws: { error in
            "\(error)".contains("schema version 0") && "\(error)".contains("tessera migrate")
        }
    }

    @Test func configurationChangesAndRevocationsMoveTheChangeVersionButIssuanceDoesNot() async throws {
        let database = try await TestPostgres.freshDatabase()
        let store = try await PostgresStore.open(database.location)
        let start = try await store.changeVersion()
        _ = try await store.claim(clientID: "c", jti: "j", expiresAt: Date().addingTimeInterval(60), now: Date())
        let record = TokenRecord(hash: Data([1, 2, 3]), kind: .accessToken, server: "alpha", clientID: "c", subject: "c", scopes: [], audiences: [],
                                 claims: [:], jti: "t1", issuedAt: Date(), notBefore: Date(), expiresAt: Date().addingTimeInterval(60))
        try await store.saveToken(record)
        #expect(try await store.changeVersion() == start, "issuing tokens and claiming jtis must not drop every node's caches")
        try await store.createScope(Scope(server: "alpha", name: "orders.read"))
        let afterScope = try await store.changeVersion()
        #expect(afterScope > start)
        #expect(try await store.revokeToken(hash: record.hash, now: Date()))
        #expect(try await store.changeVersion() > afterScope)
        await store.close()
    }

    @Test func notificationsReachObserversOfAnotherConnection() async throws {
        let database = try await TestPostgres.freshDatabase()
        let node = try await PostgresStore.open(database.location)
        let admin = try await PostgresStore.open(database.location)
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        node.observeChanges { continuation.yield() }
        var iterator = stream.makeAsyncIterator()
        _ = await iterator.next() // the call made when listening starts
        let started = ContinuousClock.now
        try await admin.createScope(Scope(server: "alpha", name: "pushed"))
        _ = await iterator.next()
        #expect(ContinuousClock.now - started < .seconds(1))
        await node.close()
        await admin.close()
    }

    @Test func wrongPasswordAndUnreachableServerFailWithOneClearReason() async throws {
        let server = try TestPostgres.serverLocation()
        let wrongPassword = try PostgresLocation(url: "postgres://\(server.username):not-the-password@\(server.host):\(server.port)/\(server.database)?sslmode=disable")
        await #expect {
            try await PostgresStore.open(wrongPassword)
        } throws: { error in
            let text = "\(error)"
            return text.contains("password authentication failed") && !text.contains("not-the-password")
        }
        let closedPort = try PostgresLocation(url: "postgres://tessera:x@127.0.0.1:\(CLIProcess.freePort())/tessera?sslmode=disable")
        await #expect {
            try await PostgresStore.open(closedPort)
        } throws: { error in
            "\(error)".contains("cannot use the database postgres://tessera:***@127.0.0.1")
        }
    }

    @Test func databaseURLsAreCheckedPartByPart() throws {
        #expect(throws: PostgresLocationError.self) { try PostgresLocation(url: "mysql://u@h/db") }
        #expect(throws: PostgresLocationError.self) { try PostgresLocation(url: "postgres://u@h/") }
        #expect(throws: PostgresLocationError.self) { try PostgresLocation(url: "postgres://h/db") }
        #expect(throws: PostgresLocationError.self) { try PostgresLocation(url: "postgres://u@h/db?sslmode=maybe") }
        #expect(throws: PostgresLocationError.self) { try PostgresLocation(url: "postgres://u@h/db?pool_size=0") }
        let location = try PostgresLocation(url: "postgresql://app:s%40cret@db.internal/tessera?pool_size=8&sslmode=require")
        #expect(location.port == 5432 && location.poolSize == 8 && location.sslMode == "require")
        #expect(location.description == "postgres://app:***@db.internal:5432/tessera")
    }
}
