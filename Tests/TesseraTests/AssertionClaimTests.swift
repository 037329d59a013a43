import Foundation
import Synchronization
import Testing
@testable import TesseraSQLite
import TesseraStore

/// SQLite's single-use assertion claims: decided in memory by the one store holding the claim lock,
/// logged durably, read back on reopen; and the group commit that writes the log.
@Suite struct AssertionClaimTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// `claims.claim`, callable inside `#expect`.
    static func accepts(_ claims: inout ClaimedAssertions, _ key: UInt64, until expiry: Date, now: Date) -> Bool {
        claims.claim(key, until: expiry, now: now)
    }

    @Test func aClaimIsRefusedUntilItExpiresThenTakenOverAndAWithdrawnClaimIsFreeAgain() {
        var claims = ClaimedAssertions()
        let key = ClaimedAssertions.key(clientID: "c1", jti: "j1")
        let expiry = Self.t0.addingTimeInterval(60)
        #expect(Self.accepts(&claims, key, until: expiry, now: Self.t0))
        #expect(!Self.accepts(&claims, key, until: expiry, now: Self.t0.addingTimeInterval(59)))
        #expect(!Self.accepts(&claims, key, until: expiry, now: expiry), "a claim holds up to and including its expiry")
        let later = expiry.addingTimeInterval(120)
        #expect(Self.accepts(&claims, key, until: later, now: expiry.addingTimeInterval(1)), "an expired claim is taken over")
        claims.withdraw(key, until: expiry)
        #expect(!Self.accepts(&claims, key, until: later, now: expiry.addingTimeInterval(2)), "withdrawing an older expiry leaves the newer claim")
        claims.withdraw(key, until: later)
        #expect(Self.accepts(&claims, key, until: later, now: expiry.addingTimeInterval(2)), "a withdrawn claim is free again")
    }

    @Test func keysSeparateClientsAndTheBoundaryBetweenClientAndJTI() {
        #expect(ClaimedAssertions.key(clientID: "c1", jti: "j") != ClaimedAssertions.key(clientID: "c2", jti: "j"))
        #expect(ClaimedAssertions.key(clientID: "ab", jti: "c") != ClaimedAssertions.key(clientID: "a", jti: "bc"))
        #expect(ClaimedAssertions.key(clientID: "c1", jti: "j") == ClaimedAssertions.key(clientID: "c1", jti: "j"))
    }

    @Test func restoredRowsKeepTheLatestExpiryAndForgettingDropsOnlyExpiredClaims() throws {
        var claims = ClaimedAssertions()
        let key = ClaimedAssertions.key(clientID: "c1", jti: "j1")
        claims.restore(key, until: Self.t0.addingTimeInterval(100).timeIntervalSince1970)
        claims.restore(key, until: Self.t0.addingTimeInterval(10).timeIntervalSince1970)
        claims.restore(ClaimedAssertions.key(clientID: "c1", jti: "old"), until: Self.t0.addingTimeInterval(5).timeIntervalSince1970)
        #expect(!Self.accepts(&claims, key, until: Self.t0.addingTimeInterval(200), now: Self.t0.addingTimeInterval(50)),
                "of two log rows of one key the later expiry counts")
        let started = claims.startForgetting()
        let setAside = try #require(started)
        var survivors = ClaimedAssertions.unexpired(setAside, at: Self.t0.addingTimeInterval(50))
        claims.finishForgetting(survivors: &survivors)
        #expect(claims.count == 1)
        #expect(!Self.accepts(&claims, key, until: Self.t0.addingTimeInterval(200), now: Self.t0.addingTimeInterval(60)))
    }

    @Test func whileAPurgeFiltersOutsideTheLockSetAsideClaimsStillRefuseReplaysAndNewClaimsAreKept() throws {
        var claims = ClaimedAssertions()
        let old = ClaimedAssertions.key(clientID: "c1", jti: "old")
        let live = ClaimedAssertions.key(clientID: "c1", jti: "live")
        let failing = ClaimedAssertions.key(clientID: "c1", jti: "failing")
        let fresh = ClaimedAssertions.key(clientID: "c1", jti: "fresh")
        let liveExpiry = Self.t0.addingTimeInterval(300)
        #expect(Self.accepts(&claims, old, until: Self.t0.addingTimeInterval(10), now: Self.t0))
        #expect(Self.accepts(&claims, live, until: liveExpiry, now: Self.t0))
        #expect(Self.accepts(&claims, failing, until: liveExpiry, now: Self.t0))

        let now = Self.t0.addingTimeInterval(60)
        let started = claims.startForgetting()
        let setAside = try #require(started)
        let second = claims.startForgetting()
        #expect(second == nil, "one purge at a time")
        #expect(!Self.accepts(&claims, live, until: liveExpiry, now: now), "a set-aside claim still refuses its replay")
        #expect(Self.accepts(&claims, fresh, until: liveExpiry, now: now))
        claims.withdraw(failing, until: liveExpiry)
        var survivors = ClaimedAssertions.unexpired(setAside, at: now)
        claims.finishForgetting(survivors: &survivors)

        #expect(claims.count == 2, "live and fresh: the expired claim is gone, the withdrawn one too")
        #expect(!Self.accepts(&claims, fresh, until: liveExpiry, now: now), "a claim made during the purge survives it")
        #expect(!Self.accepts(&claims, live, until: liveExpiry, now: now))
        #expect(Self.accepts(&claims, failing, until: liveExpiry, now: now), "a claim withdrawn during the purge is free again")
    }

    @Test func claimsSurviveClosingAndReopeningTheDatabase() async throws {
        let path = SQLiteTestFile.path("claims")
        defer { SQLiteTestFile.remove(path) }
        let now = Date()
        let first = try await SQLiteStore.open(path: path)
        #expect(try await first.claim(clientID: "c1", jti: "kept", expiresAt: now.addingTimeInterval(300), now: now))
        #expect(try await first.claim(clientID: "c1", jti: "expired", expiresAt: now.addingTimeInterval(-1), now: now.addingTimeInterval(-60)))
        await first.close()

        let second = try await SQLiteStore.open(path: path)
        #expect(!(try await second.claim(clientID: "c1", jti: "kept", expiresAt: now.addingTimeInterval(300), now: now.addingTimeInterval(1))),
                "a claim logged before the restart is a replay after it")
        #expect(try await second.claim(clientID: "c1", jti: "expired", expiresAt: now.addingTimeInterval(300), now: now.addingTimeInterval(1)))
        #expect(try await second.claim(clientID: "c2", jti: "kept", expiresAt: now.addingTimeInterval(300), now: now.addingTimeInterval(1)))
        await second.close()
    }

    @Test func aSecondStoreOnTheDatabaseCannotDecideClaimsUntilTheFirstCloses() async throws {
        let path = SQLiteTestFile.path("claims")
        defer { SQLiteTestFile.remove(path) }
        let now = Date()
        let first = try await SQLiteStore.open(path: path)
        let second = try await SQLiteStore.open(path: path)
        #expect(try await first.claim(clientID: "c1", jti: "j1", expiresAt: now.addingTimeInterval(300), now: now))
        do {
            _ = try await second.claim(clientID: "c1", jti: "j1", expiresAt: now.addingTimeInterval(300), now: now)
            Issue.record("a second store decided a claim while the first held the lock")
        } catch {
            // (Matching `catch StoreError.unavailable(let reason)` on a typed-throws `do` crashes Swift 6.3.1's SILGen.)
            guard case .unavailable(let reason) = error else { throw error }
            #expect(reason.contains("another Tessera server (process \(getpid()))"), "\(reason)")
            #expect(reason.contains("PostgreSQL"), "the way to run several nodes is named: \(reason)")
        }
        try await second.createScope(Scope(server: "alpha", name: "admin-writes-still-work"))
        await first.close()
        #expect(!(try await second.claim(clientID: "c1", jti: "j1", expiresAt: now.addingTimeInterval(300), now: now)),
                "the lock passes on with the first store's claims, read from the log")
        #expect(try await second.claim(clientID: "c1", jti: "j2", expiresAt: now.addingTimeInterval(300), now: now))
        await second.close()
    }

    @Test func migrationCarriesClaimsOfTheUniqueIndexTableIntoTheLog() async throws {
        let path = SQLiteTestFile.path("claims")
        defer { SQLiteTestFile.remove(path) }
        let expiry = Date().addingTimeInterval(300).timeIntervalSince1970
        let store = try await SQLiteStore.open(path: path)
        // Back to schema 3: the claims table as it was, with one claim in it (and what schemas 5 to 11 changed undone).
        try await store.run("DROP TABLE assertion_claims")
        try await store.run("ALTER TABLE servers DROP COLUMN rate_limit")
        try await store.run("ALTER TABLE clients DROP COLUMN rate_limit")
        try await store.run("ALTER TABLE servers DROP COLUMN max_assertion_lifetime")
        try await SchemaRollback.backToSchema6(store)
        try await store.run("DELETE FROM schema_migrations WHERE version >= 4")
        try await store.run("CREATE TABLE assertion_replays (client_id TEXT NOT NULL, jti TEXT NOT NULL, expires_at REAL NOT NULL, PRIMARY KEY (client_id, jti))")
        try await store.run("INSERT INTO assertion_replays VALUES ('c1', 'before-upgrade', \(expiry))")
        await store.close()

        let upgraded = try await SQLiteStore.open(path: path)
        #expect(!(try await upgraded.claim(clientID: "c1", jti: "before-upgrade", expiresAt: Date().addingTimeInterval(300), now: Date())))
        #expect(try await upgraded.run("SELECT name FROM sqlite_master WHERE name = 'assertion_replays'").isEmpty)
        await upgraded.close()
    }

    @Test func groupCommitWritesEveryRowOnceInGroupsAndReturnsOnlyAfterItsRowIsWritten() async throws {
        let commit = GroupCommit<Int>(groupLimit: 8)
        final class Written: Sendable { let groups = Mutex<[[Int]]>([]) }
        let written = Written()
        let write: GroupCommit<Int>.Write = { rows in
            await Task.yield()
            written.groups.withLock { $0.append(rows) }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for row in 0..<100 {
                group.addTask {
                    try await commit.write(row, with: write)
                    #expect(written.groups.withLock { $0.joined().contains(row) }, "row \(row) returned before it was written")
                }
            }
            try await group.waitForAll()
        }
        let groups = written.groups.withLock { $0 }
        #expect(groups.joined().sorted() == Array(0..<100))
        #expect(groups.allSatisfy { $0.count <= 8 })
        #expect(groups.count >= 13)
    }

    @Test func aFailedGroupWriteFailsEveryRowOfThatGroupAndTheNextGroupIsWritten() async throws {
        struct WriteFailed: Error {}
        let commit = GroupCommit<Int>(groupLimit: 1)
        let write: GroupCommit<Int>.Write = { rows in if rows.contains(1) { throw WriteFailed() } }
        await #expect(throws: WriteFailed.self) { try await commit.write(1, with: write) }
        try await commit.write(2, with: write)
    }
}
