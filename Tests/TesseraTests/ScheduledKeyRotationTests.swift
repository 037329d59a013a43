import Foundation
import Testing
import TesseraCore
import TesseraPostgres
import TesseraStore

/// Scheduled key rotation (`servers update --key-rotation`), with an injected clock: the next key is
/// announced a publish delay before the interval ends and signs at its end, one rotation at a time,
/// done by the one node that holds the lease — on PostgreSQL with two nodes asking at once too.
@Suite struct ScheduledKeyRotationTests {
    static func states(_ admin: Administration, _ server: String = "default") async throws -> [KeyState] {
        try await admin.keys(server: server).map(\.state)
    }

    @Test func aScheduledServerAnnouncesItsNextKeyBeforeTheIntervalEndsAndItSignsAtTheEnd() async throws {
        try await TestDeployment.with { deployment async throws in
            let admin = deployment.admin
            let rotation = ScheduledKeyRotation(administration: admin, holder: "node-a")
            #expect(try await rotation.runOnce().isEmpty, "no server has a schedule")
            try await admin.updateServer(name: "default", keyRotation: 86_400)
            let first = try #require(try await admin.keys(server: "default").first?.key)
            #expect(try await rotation.runOnce().isEmpty, "the current key has just started")

            deployment.clock.advance(by: 86_400 - 300 - 1)
            #expect(try await rotation.runOnce().isEmpty, "a second before the announcement is due")
            deployment.clock.advance(by: 1)
            let done = try await rotation.runOnce()
            #expect(done.map(\.server) == ["default"] && done.first?.replacing == first.kid)
            let next = try #require(done.first?.key)
            #expect(next.algorithm == first.algorithm, "the schedule keeps the server's algorithm")
            #expect(abs(next.activatesAt.timeIntervalSince(first.activatesAt) - 86_400) < 0.01, "the new key signs one interval after the old one did")
            #expect(try await Self.states(admin) == [.next, .current])
            #expect(try await rotation.runOnce().isEmpty, "while the next key waits, nothing else rotates")

            deployment.clock.advance(by: 300)
            #expect(try await Self.states(admin) == [.current, .previous])
            let ring = try await deployment.runtime.directory.keyRing(server: "default")
            #expect(ring.signer?.kid == next.kid, "the announced key signs now")

            let events = try await deployment.events().filter { $0.endpoint == "key-rotation" }
            #expect(events.count == 1 && events.first?.detail["kid"] == next.kid && events.first?.detail["replaces"] == first.kid, "\(events)")
            #expect(events.first?.message.contains("scheduled rotation: key \(next.kid)") == true)

            try await admin.updateServer(name: "default", keyRotation: .some(nil))
            deployment.clock.advance(by: 86_400 * 2)
            #expect(try await rotation.runOnce().isEmpty, "a schedule turned off rotates no more")
        }
    }

    @Test func anotherNodeRotatesOnlyOnceTheLeaseHolderStoppedRenewingIt() async throws {
        try await TestDeployment.with { deployment async throws in
            let admin = deployment.admin
            try await admin.updateServer(name: "default", keyRotation: 3600)
            let nodeA = ScheduledKeyRotation(administration: admin, holder: "node-a", leaseDuration: 180)
            let nodeB = ScheduledKeyRotation(administration: admin, holder: "node-b", leaseDuration: 180)
            deployment.clock.advance(by: 3600 - 300 - 60)
            #expect(try await nodeA.runOnce().isEmpty, "node A takes the lease; nothing is due yet")
            deployment.clock.advance(by: 60)
            #expect(try await nodeB.runOnce().isEmpty, "node B is due but node A holds the lease")
            deployment.clock.advance(by: 121)
            let done = try await nodeB.runOnce()
            #expect(done.count == 1, "node A's lease ran out: node B rotates")
            #expect(try await nodeA.runOnce().isEmpty, "node A has lost the lease to node B")
            #expect(try await Self.states(admin) == [.next, .current])
        }
    }

    @Test func aNodeWithAReplacedMasterKeyDoesNotRotate() async throws {
        try await TestDeployment.with { deployment async throws in
            try await deployment.admin.updateServer(name: "default", keyRotation: 3600)
            _ = try await MasterKeyRotation.rotate(stores: deployment.stores, from: deployment.masterKey, to: MasterKey.generate().key, at: deployment.clock.now)
            deployment.clock.advance(by: 3600)
            let stale = ScheduledKeyRotation(administration: deployment.admin, holder: "stale")
            await #expect { try await stale.runOnce() } throws: { error in
                "\(error)".contains("the master key does not open this database's keys")
            }
            #expect(try await Self.states(deployment.admin) == [.current], "no key sealed under the old master key was added")
        }
    }

    @Test func intervalsOutsideAnHourToTenYearsAreRefused() async throws {
        try await TestDeployment.with { deployment async throws in
            for seconds in [0, 3599, 315_360_001] {
                await #expect { try await deployment.admin.updateServer(name: "default", keyRotation: seconds) } throws: { error in
                    "\(error)".contains("between 1 hour and 3650 days") && "\(error)".contains("got \(seconds) seconds")
                }
            }
            #expect(try await deployment.admin.updateServer(name: "default", keyRotation: 3600).keyRotation == 3600)
        }
    }

    @Test(.enabled(if: TestPostgres.enabled, TestPostgres.skipReason))
    func twoPostgresNodesDueAtOnceRotateOnce() async throws {
        let database = try await TestPostgres.freshDatabase()
        let clock = ManualWallClock(Date())
        let masterKey = MasterKey.generate().key
        let nodes = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<2 { group.addTask { try await PostgresStore.open(database.location) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let admins = nodes.map { Administration(stores: Stores($0), masterKey: masterKey, clock: clock) }
        try await admins[0].createServer(name: "orders")
        try await admins[0].updateServer(name: "orders", keyRotation: 3600)
        clock.advance(by: 3600 - 300)
        let schedulers = admins.enumerated().map { ScheduledKeyRotation(administration: $1, holder: "node-\($0)") }
        // Both nodes at once, five runs each (a node runs its own one after another), all at the moment the rotation is due.
        let rotations = try await withThrowingTaskGroup(of: [ScheduledKeyRotation.Rotation].self) { group in
            for scheduler in schedulers {
                group.addTask {
                    var done: [ScheduledKeyRotation.Rotation] = []
                    for _ in 0..<5 { done += try await scheduler.runOnce() }
                    return done
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(rotations.count == 1, "one rotation for two nodes asking ten times: \(rotations.map(\.key.kid))")
        #expect(try await Self.states(admins[1], "orders") == [.next, .current])
        let events = try await nodes[0].events(matching: EventQuery(server: "orders", limit: 10)).filter { $0.endpoint == "key-rotation" }
        #expect(events.count == 1, "one event for the one rotation")
        for node in nodes { await node.close() }
    }
}
