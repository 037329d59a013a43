import Foundation
import TesseraStore

/// The checks of leases (one node does a deployment-wide job) and of the data sealed under the master key.
extension StoreConformance {
    static func leaseHeldUntilExpiry(_ stores: Stores) async throws {
        let leases = stores.leases
        try await expect(try await leases.acquireLease("job", holder: "a", until: t0.addingTimeInterval(60), now: t0), "a free lease is granted")
        try await expect(!(try await leases.acquireLease("job", holder: "b", until: t0.addingTimeInterval(90), now: t0.addingTimeInterval(30))),
                         "a lease held by another holder is refused")
        try await expect(try await leases.acquireLease("other", holder: "b", until: t0.addingTimeInterval(90), now: t0.addingTimeInterval(30)),
                         "leases of other names are independent")
        try await expect(try await leases.acquireLease("job", holder: "a", until: t0.addingTimeInterval(120), now: t0.addingTimeInterval(50)),
                         "the holder renews its lease")
        try await expect(!(try await leases.acquireLease("job", holder: "b", until: t0.addingTimeInterval(180), now: t0.addingTimeInterval(100))),
                         "the renewal counts: the lease still runs at 100 s")
        try await expect(try await leases.acquireLease("job", holder: "b", until: t0.addingTimeInterval(240), now: t0.addingTimeInterval(121)),
                         "an expired lease goes to the next holder")
        try await expect(!(try await leases.acquireLease("job", holder: "a", until: t0.addingTimeInterval(240), now: t0.addingTimeInterval(122))),
                         "the former holder is refused once another took over")
    }

    static func leaseConcurrent(_ stores: Stores) async throws {
        let winners = try await withThrowingTaskGroup(of: String?.self) { group in
            for holder in 0..<12 {
                group.addTask {
                    try await stores.leases.acquireLease("race", holder: "node-\(holder)", until: t0.addingTimeInterval(60), now: t0) ? "node-\(holder)" : nil
                }
            }
            return try await group.reduce(into: [String]()) { if let winner = $1 { $0.append(winner) } }
        }
        try await expect(winners.count == 1, "exactly one of twelve concurrent holders must get the lease; \(winners) did")
    }

    static func masterKeyCheckRecordedOnce(_ stores: Stores) async throws {
        try await expect(try await stores.sealed.masterKeyCheck() == nil, "a new database has no check value")
        let first = try await stores.sealed.recordMasterKeyCheck(Data([1, 2, 3]), at: t0)
        try await expect(first == MasterKeyCheckRecord(sealed: Data([1, 2, 3]), changedAt: t0), "the first check is recorded as given: \(first)")
        let second = try await stores.sealed.recordMasterKeyCheck(Data([4, 5]), at: t0.addingTimeInterval(10))
        try await expect(second == first, "a second record keeps the first check: \(second)")
        try await expect(try await stores.sealed.masterKeyCheck() == first, "the check reads back")
    }

    /// Sealed values of the check: a key's box and a `client_secret_jwt` secret's box, "resealed" by
    /// appending a byte, so the result shows each value went through exactly once.
    static func sealedFixture(_ stores: Stores) async throws {
        try await stores.servers.createServer(server("alpha"))
        for (kid, byte) in [("k1", UInt8(10)), ("k2", 20)] {
            try await stores.keys.addKey(SigningKey(server: "alpha", kid: kid, algorithm: "ES256", encryptedPrivateKey: Data([byte]),
                                                    publicJWK: "{\"kid\":\"\(kid)\"}", createdAt: t0))
        }
        try await stores.clients.createClient(client("c1"))
        var basic = client("c2")
        basic.authMethod = .clientSecretBasic
        basic.secrets = [ClientSecretEntry(id: "sec_b", hash: Data([7]), createdAt: t0)]
        try await stores.clients.createClient(basic)
        _ = try await stores.sealed.recordMasterKeyCheck(Data([0]), at: t0)
    }

    static func resealEverything(_ stores: Stores) async throws {
        try await sealedFixture(stores)
        try await expect(try await stores.sealed.sealedSample() == Data([10]), "the sample is a signing key's box")
        let count = try await stores.sealed.resealAll(check: Data([0, 1]), at: t0.addingTimeInterval(5)) { $0 + [0xFF] }
        try await expect(count == ResealCount(signingKeys: 2, clientSecrets: 1), "two keys and one sealed secret are resealed: \(String(describing: count))")
        let keys = try await stores.keys.keys(server: "alpha").sorted { $0.kid < $1.kid }.map(\.encryptedPrivateKey)
        try await expect(keys == [Data([10, 0xFF]), Data([20, 0xFF])], "each key resealed once: \(keys)")
        let secrets = try await stores.clients.client(id: "c1")?.secrets
        try await expect(secrets?.first?.encrypted == Data([9, 8, 7, 0xFF]) && secrets?.first?.hash == Data([1, 2, 3]),
                         "the sealed secret is resealed, its hash kept: \(String(describing: secrets))")
        try await expect(secrets?.last?.encrypted == nil && secrets?.last?.expiresAt == t0.addingTimeInterval(86_400), "an entry without a sealed secret is kept as it was")
        try await expect(try await stores.clients.client(id: "c2")?.secrets.first?.hash == Data([7]), "a basic client's secret is untouched")
        try await expect(try await stores.sealed.masterKeyCheck() == MasterKeyCheckRecord(sealed: Data([0, 1]), changedAt: t0.addingTimeInterval(5)),
                         "the check value is replaced")
    }

    static func resealAllOrNothing(_ stores: Stores) async throws {
        try await sealedFixture(stores)
        // The second key does not "open": nothing may change, not even the values resealed before it.
        let count = try await stores.sealed.resealAll(check: Data([0, 1]), at: t0.addingTimeInterval(5)) { $0 == Data([20]) ? nil : $0 + [0xFF] }
        try await expect(count == nil, "a reseal with a value that does not open answers nil")
        let keys = try await stores.keys.keys(server: "alpha").sorted { $0.kid < $1.kid }.map(\.encryptedPrivateKey)
        try await expect(keys == [Data([10]), Data([20])], "no key changed: \(keys)")
        try await expect(try await stores.clients.client(id: "c1")?.secrets.first?.encrypted == Data([9, 8, 7]), "no secret changed")
        try await expect(try await stores.sealed.masterKeyCheck()?.sealed == Data([0]), "the check is the old one")
    }
}
