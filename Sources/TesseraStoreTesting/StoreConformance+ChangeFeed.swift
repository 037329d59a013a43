import Foundation
import TesseraStore

/// The checks of the change feed that nodes drop cache entries by.
extension StoreConformance {
    static func changeFeed(_ stores: Stores) async throws {
        let start = try await stores.changes.changeVersion()
        try await stores.servers.createServer(server("alpha"))
        var updated = server("alpha")
        updated.accessTokenTTL = 120
        try await stores.servers.updateServer(updated)
        try await stores.scopes.createScope(Scope(server: "alpha", name: "orders.read"))
        try await stores.clients.createClient(client("c1"))
        try await stores.clients.updateClient(client("c1"))
        try await stores.clients.deleteClient(id: "c1")
        try await stores.keys.addKey(SigningKey(server: "alpha", kid: "k1", algorithm: "ES256", encryptedPrivateKey: Data([1]), publicJWK: "{}", createdAt: t0))
        // None of these is a configuration change.
        _ = try await stores.replays.claim(clientID: "c1", jti: "j", expiresAt: t0.addingTimeInterval(60), now: t0)
        let record = TokenRecord(hash: Data([7]), kind: .refreshToken, server: "alpha", clientID: "c2", subject: "c2", scopes: [], audiences: [],
                                 claims: [:], jti: "r1", issuedAt: t0, notBefore: t0, expiresAt: t0.addingTimeInterval(600))
        try await stores.tokens.saveToken(record)
        try await stores.events.appendEvents([Event(time: t0, requestID: "r", server: "alpha", endpoint: "token", clientID: "c2", outcome: .success,
                                                    reason: nil, message: "issued")])
        try await stores.clients.recordSecretUses([SecretUse(clientID: "c2", secretID: "sec_new", at: t0)])
        _ = try await stores.leases.acquireLease("job", holder: "a", until: t0.addingTimeInterval(60), now: t0)
        try await expect(try await stores.changes.changeVersion() == start + 7, "seven changes so far; issuing, claiming, events, secret uses and leases append nothing")
        _ = try await stores.tokens.revokeToken(hash: record.hash, now: t0)
        _ = try await stores.tokens.revokeToken(hash: record.hash, now: t0)
        try await stores.tokens.denyJTI(server: "alpha", jti: "at-1", expiresAt: t0.addingTimeInterval(60))

        let entries = try await stores.changes.changes(after: start, limit: 100)
        let expected: [(ConfigChange.Kind, String)] = [(.server, "alpha"), (.server, "alpha"), (.scopes, "alpha"), (.client, "c1"), (.client, "c1"),
                                                       (.client, "c1"), (.keys, "alpha"), (.revocation, "c2"), (.revocation, "at-1")]
        try await expect(entries.map { "\($0.kind.rawValue) \($0.key)" } == expected.map { "\($0.0.rawValue) \($0.1)" },
                         "the feed names each change in order (revoking a revoked token again is none): \(entries.map { "\($0.kind.rawValue) \($0.key)" })")
        try await expect(entries.map(\.version) == Array((start + 1)...(start + 9)), "versions go up by one: \(entries.map(\.version))")
        try await expect(try await stores.changes.changeVersion() == start + 9, "the version is the newest entry's")
        let page = try await stores.changes.changes(after: start + 2, limit: 2)
        try await expect(page.map(\.version) == [start + 3, start + 4], "entries after a version, at most the limit: \(page.map(\.version))")
    }

    /// One transaction changing many rows (the master-key reseal): an entry for each changed client and
    /// the keys, numbered one by one after the version, which ends at the last of them. PostgreSQL numbered
    /// row by row through one counter row before schema 13, in time quadratic in the rows of a transaction.
    static func changeFeedOfOneLargeTransaction(_ stores: Stores) async throws {
        try await stores.servers.createServer(server("alpha"))
        try await stores.keys.addKey(SigningKey(server: "alpha", kid: "k1", algorithm: "ES256", encryptedPrivateKey: Data([1]), publicJWK: "{}", createdAt: t0))
        let ids = (0..<600).map { String(format: "sealed-%04d", $0) }
        for id in ids { try await stores.clients.createClient(client(id)) }
        _ = try await stores.sealed.recordMasterKeyCheck(Data([0]), at: t0)
        let start = try await stores.changes.changeVersion()
        let count = try await stores.sealed.resealAll(check: Data([0, 1]), at: t0) { $0 + [0xFF] }
        try await expect(count == ResealCount(signingKeys: 1, clientSecrets: 600), "every sealed value resealed: \(String(describing: count))")
        let entries = try await stores.changes.changes(after: start, limit: 2_000)
        try await expect(entries.map(\.version) == Array((start + 1)...(start + Int64(entries.count))), "consecutive versions after \(start)")
        try await expect(try await stores.changes.changeVersion() == start + Int64(entries.count), "the version is the last entry's")
        try await expect(Set(entries.filter { $0.kind == .client }.map(\.key)) == Set(ids), "each resealed client is named")
        try await expect(entries.contains { $0.kind == .keys && $0.key == "alpha" }, "the resealed keys are named")
        try await expect(entries.allSatisfy { $0.kind == .client || $0.kind == .keys }, "nothing else: \(Set(entries.map(\.kind.rawValue)))")
        try await stores.servers.createServer(server("beta"))
        try await expect(try await stores.changes.changes(after: start + Int64(entries.count), limit: 10).map(\.version) == [start + Int64(entries.count) + 1],
                         "the next transaction goes on from there")
    }

    static func changeFeedPurge(_ stores: Stores) async throws {
        try await stores.servers.createServer(server("alpha"))
        try await stores.servers.createServer(server("beta"))
        let version = try await stores.changes.changeVersion()
        let purged = try await stores.changes.purgeChanges(before: Date().addingTimeInterval(60))
        try await expect(purged >= 2, "entries written before the cutoff are purged: \(purged)")
        try await expect(try await stores.changes.changes(after: 0, limit: 10).isEmpty, "nothing is left")
        try await expect(try await stores.changes.changeVersion() == version, "the version stays where it was")
        try await stores.servers.createServer(server("gamma"))
        try await expect(try await stores.changes.changes(after: version, limit: 10).map(\.version) == [version + 1], "numbering goes on after a purge")
    }
}
