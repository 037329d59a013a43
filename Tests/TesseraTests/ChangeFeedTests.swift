import Foundation
import Testing
import TesseraCore
import TesseraJSON
import TesseraPostgres
import TesseraSQLite
import TesseraStore
import TesseraStoreTesting

/// Nodes drop from their caches only what the change feed names: a change to client A leaves client B
/// (and the servers, scopes and key rings) cached, counted by the directory's statistics, on SQLite and on
/// PostgreSQL; a node that finds feed entries missing drops everything and stays correct.
@Suite struct ChangeFeedTests {
    /// A node's directory on `node`; an admin writing through `admin` (another connection, as the CLI or another node).
    static func oneChangeDropsOneEntry(node: Stores, admin: Stores) async throws {
        let masterKey = MasterKey.generate().key
        let administration = Administration(stores: admin, masterKey: masterKey)
        try await administration.createServer(name: "orders")
        let a = try await administration.createClient(server: "orders", name: "a", method: .clientSecretBasic).client
        let b = try await administration.createClient(server: "orders", name: "b", method: .clientSecretBasic).client
        let directory = Directory(stores: node, masterKey: masterKey)
        try await directory.refreshIfChanged()
        for _ in 0..<2 {
            _ = try await directory.client(id: a.id)
            _ = try await directory.client(id: b.id)
            _ = try await directory.server(named: "orders")
            _ = try await directory.keyRing(server: "orders")
        }
        #expect(directory.statistics(.clients) == .init(hits: 2, misses: 2, entries: 2))

        var renamed = a
        renamed.name = "a, renamed"
        try await admin.clients.updateClient(renamed)
        let refresh = try await directory.refreshIfChanged()
        #expect(refresh == .init(applied: 1, droppedAll: false, revocations: false), "\(refresh)")
        #expect(directory.statistics(.clients).entries == 1, "only client a was dropped")
        #expect(try await directory.client(id: b.id)?.name == "b")
        #expect(directory.statistics(.clients) == .init(hits: 3, misses: 2, entries: 1), "client b was still cached")
        #expect(try await directory.client(id: a.id)?.name == "a, renamed", "client a is read again, changed")
        #expect(directory.statistics(.clients).misses == 3)
        #expect(directory.statistics(.servers).entries == 1 && directory.statistics(.keyRings).entries == 1, "servers and key rings stay cached")
        #expect(try await directory.refreshIfChanged() == .init(), "nothing new")

        _ = try await administration.rotateKey(server: "orders")
        let afterRotation = try await directory.refreshIfChanged()
        #expect(afterRotation.applied == 2 && !afterRotation.droppedAll && afterRotation.keysChanged, "the new key and the old key's retirement time: \(afterRotation)")
        #expect(directory.statistics(.keyRings).entries == 0 && directory.statistics(.clients).entries == 2, "a rotation drops the key ring only")
        #expect(try await directory.keyRing(server: "orders").kids.count == 2)

        // A node away for longer than the feed is kept finds entries missing: it drops everything.
        var again = b
        again.name = "b, renamed"
        try await admin.clients.updateClient(again)
        _ = try await admin.changes.purgeChanges(before: Date().addingTimeInterval(60))
        let behind = try await directory.refreshIfChanged()
        #expect(behind.droppedAll && behind.revocations, "\(behind)")
        #expect(directory.statistics(.clients).entries == 0 && directory.statistics(.servers).entries == 0)
        #expect(try await directory.client(id: b.id)?.name == "b, renamed")
    }

    @Test func sqliteAChangeToOneClientLeavesTheOthersCached() async throws {
        let path = SQLiteTestFile.path("feed")
        defer { SQLiteTestFile.remove(path) }
        try await SQLiteTestFile.withStore(at: path) { node in
            try await SQLiteTestFile.withStore(at: path) { admin in
                try await Self.oneChangeDropsOneEntry(node: Stores(node), admin: Stores(admin))
            }
        }
    }

    @Test func entriesForWhatNoLongerExistsOrWasNeverCachedAreHarmless() async throws {
        let store = MemoryStore()
        let masterKey = MasterKey.generate().key
        let admin = Administration(stores: Stores(store), masterKey: masterKey)
        try await admin.createServer(name: "orders")
        let gone = try await admin.createClient(server: "orders", name: "gone", method: .clientSecretBasic).client
        let kept = try await admin.createClient(server: "orders", name: "kept", method: .clientSecretBasic).client
        let directory = Directory(stores: Stores(store), masterKey: masterKey)
        try await directory.refreshIfChanged()
        #expect(try await directory.client(id: gone.id) != nil)
        #expect(try await directory.client(id: kept.id) != nil)
        try await store.deleteClient(id: gone.id)
        try await store.createScope(Scope(server: "never-cached", name: "x"))
        let refresh = try await directory.refreshIfChanged()
        #expect(refresh.applied == 2 && !refresh.droppedAll)
        #expect(try await directory.client(id: gone.id) == nil, "a deleted client is gone from the cache")
        #expect(try await directory.scopeNames(server: "never-cached") == ["x"])
        #expect(directory.statistics(.clients).entries == 1, "the other client stays cached")
    }

    @Test func aNodesOwnChangesAreInTheFeedToo() async throws {
        let path = SQLiteTestFile.path("feed-own")
        defer { SQLiteTestFile.remove(path) }
        try await SQLiteTestFile.withStore(at: path) { store in
            try await Self.oneChangeDropsOneEntry(node: Stores(store), admin: Stores(store))
        }
    }

    @Test(.enabled(if: TestPostgres.enabled, TestPostgres.skipReason))
    func postgresAChangeToOneClientLeavesTheOthersCached() async throws {
        let database = try await TestPostgres.freshDatabase()
        let node = try await PostgresStore.open(database.location)
        let admin = try await PostgresStore.open(database.location)
        try await Self.oneChangeDropsOneEntry(node: Stores(node), admin: Stores(admin))
        await admin.close()
        await node.close()
    }

    @Test(.enabled(if: TestPostgres.enabled, TestPostgres.skipReason))
    func postgresFeedVersionsFollowCommitOrderUnderConcurrentWriters() async throws {
        let database = try await TestPostgres.freshDatabase()
        let nodes = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<3 { group.addTask { try await PostgresStore.open(database.location) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let start = try await nodes[0].changeVersion()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, node) in nodes.enumerated() {
                group.addTask {
                    for scope in 0..<20 { try await node.createScope(Scope(server: "s\(index)", name: "scope\(scope)")) }
                }
            }
            try await group.waitForAll()
        }
        let entries = try await nodes[1].changes(after: start, limit: 100)
        #expect(entries.map(\.version) == Array((start + 1)...(start + 60)), "sixty writes from three nodes: sixty versions without a hole")
        #expect(try await nodes[2].changeVersion() == start + 60)
        for node in nodes { await node.close() }
    }
}

/// What the feed means for verified tokens a node has cached: a key retired by another process stops
/// its tokens at once (after the refresh), a change to a client does not touch them.
@Suite struct ChangeFeedTokenTests {
    @Test func aKeyRetiredByAnotherProcessMakesItsCachedTokensInactiveAfterTheRefresh() async throws {
        try await TestDeployment.with { deployment async throws in
            let client = try await deployment.register(.clientSecretBasic)
            try await SQLiteTestFile.withStore(at: deployment.directory.appendingPathComponent("tessera.sqlite").path) { other in
                let cli = Administration(stores: Stores(other), masterKey: deployment.masterKey, clock: deployment.clock)
                try await deployment.runtime.refreshCaches()
                try await deployment.http { http async throws in
                    let basic = HTTPDriver.basic(client.id, client.secret ?? "")
                    let issued = try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: [("grant_type", "client_credentials")], headers: basic)
                    let token = try #require(try JSONReader.object(in: issued.text)["access_token"]?.string)
                    func active() async throws -> Bool {
                        let answer = try await http.post(path(deployment.defaultURLs.introspectionEndpoint), form: [("token", token)], headers: basic)
                        return try JSONReader.object(in: answer.text)["active"] == .bool(true)
                    }
                    #expect(try await active(), "verified and cached")

                    var renamed = try #require(try await other.client(id: client.id))
                    renamed.name = "renamed elsewhere"
                    try await other.updateClient(renamed)
                    #expect(try await deployment.runtime.refreshCaches())
                    #expect(try await active(), "a client change leaves verified tokens alone")

                    let oldKid = try #require(try await cli.keys(server: "default").first?.key.kid)
                    _ = try await cli.rotateKey(server: "default")
                    try await cli.retireKey(server: "default", kid: oldKid)
                    #expect(try await deployment.runtime.refreshCaches())
                    #expect(!(try await active()), "the token of a retired key stops verifying once the node has read the feed")
                }
            }
        }
    }
}
