import Foundation
import TesseraStore

/// The behaviour every storage backend must show, written once against the store protocols and
/// run by the tests of each backend (SQLite and PostgreSQL), as Hydra does with its
/// exported fosite store helpers.
///
/// Each check gets fresh, empty stores from `makeStores` and throws `ConformanceFailure` naming
/// what differed.
public struct StoreConformance: Sendable {
    public typealias Check = @Sendable (Stores) async throws -> Void

    /// Every check, by name, so a test can run them one by one and report each.
    public static let checks: [(name: String, run: Check)] = [
        ("server create, read, list and update round-trip", serverRoundTrip),
        ("a duplicate server name is alreadyExists", duplicateServer),
        ("updating an unknown server is notFound", updateUnknownServer),
        ("scopes belong to their server and are unique per server", scopesPerServer),
        ("a scope's description changes and a scope is deleted on its own server only", scopeUpdateAndDelete),
        ("a server is deleted with its scopes and keys, only while no client is registered on it", serverDeletion),
        ("client create, read, list, update and delete round-trip", clientRoundTrip),
        ("updating or deleting an unknown client is notFound", unknownClientChanges),
        ("secret uses are kept per client and secret, the latest wins, and move no change version", secretUses),
        ("keys are listed newest first with their activation and retirement times, and can be retired", keysNewestFirst),
        ("a jti is accepted once until it expires", replayClaimOnce),
        ("the same jti of two clients is independent", replayPerClient),
        ("concurrent claims of one jti: exactly one wins", replayConcurrent),
        ("a burst of claims, some repeated: each (client, jti) wins exactly once", replayBurst),
        ("expired replay entries are purged", replayPurge),
        ("token records round-trip by hash", tokenRoundTrip),
        ("revoking a refresh token revokes its access tokens and denies its JWTs", revokeFamily),
        ("the JWT deny list is per server", denyListPerServer),
        ("expired tokens, links and deny entries are purged", tokenPurge),
        ("events are appended in batches and filtered", eventQueries),
        ("one client's events are found among thousands of other clients', oldest first, within bounds", eventsOfOneClientAmongMany),
        ("events older than the retention cutoff are purged, oldest first, in batches", eventPurge),
        ("the event size bound deletes the oldest events first, in batches", eventSizeBound),
        ("a lease is held by one holder until it expires and renewed by its holder", leaseHeldUntilExpiry),
        ("concurrent lease requests of several holders: exactly one wins", leaseConcurrent),
        ("the master key check is recorded once, the first one stays", masterKeyCheckRecordedOnce),
        ("resealing rewrites every signing key, sealed client secret and the check in one step", resealEverything),
        ("a reseal that cannot open one value changes nothing", resealAllOrNothing),
        ("every configuration change and revocation appends a feed entry naming it, in order; issuing and claiming append none", changeFeed),
        ("one transaction changing many rows numbers its feed entries one by one, without holes", changeFeedOfOneLargeTransaction),
        ("purging old feed entries keeps the version", changeFeedPurge),
    ] + userChecks

    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func server(_ name: String) -> AuthorizationServer {
        AuthorizationServer(name: name, audiences: ["https://api.example.com", "api://\(name)"], accessTokenTTL: 600,
                            claims: ["env": .string("prod"), "org": .object(["id": .number(7)])], createdAt: t0)
    }

    static func client(_ id: String, server: String = "alpha", created: Date = t0) -> Client {
        Client(id: id, server: server, name: "svc \(id)", authMethod: .clientSecretJWT,
               secrets: [ClientSecretEntry(id: "sec_new", hash: Data([1, 2, 3]), encrypted: Data([9, 8, 7]), createdAt: created),
                         ClientSecretEntry(id: "sec_old", hash: Data([4, 5]), createdAt: t0, expiresAt: t0.addingTimeInterval(86_400))],
               jwks: nil, jwksURI: nil, scopes: ["orders.read", "orders.write"],
               claims: ["tier": .string("gold")], introspectableResources: ["https://api.example.com"], enabled: true, createdAt: created)
    }

    static func serverRoundTrip(_ stores: Stores) async throws {
        try await expect(!(try await stores.servers.hasServer(otherThan: "beta")), "an empty store has no server")
        try await stores.servers.createServer(server("beta"))
        try await expect(!(try await stores.servers.hasServer(otherThan: "beta")), "beta alone is no server other than beta")
        try await stores.servers.createServer(server("alpha"))
        try await expect(try await stores.servers.server(named: "alpha") == server("alpha"), "server read back differs")
        try await expect(try await stores.servers.server(named: "missing") == nil, "unknown server should be nil")
        try await expect(try await stores.servers.listServers().map(\.name) == ["alpha", "beta"], "servers should list by name")
        try await expect(try await stores.servers.hasServer(otherThan: "alpha"), "beta is a server other than alpha")
        try await expect(try await stores.servers.hasServer(otherThan: "gamma"), "alpha and beta are servers other than gamma")
        var changed = server("alpha")
        changed.accessTokenTTL = 120
        changed.audiences = ["https://other.example.com"]
        changed.rateLimit = RateLimit(requests: 600, period: 60)
        changed.maxAssertionLifetime = 300
        changed.keyRotation = 90 * 86_400
        try await stores.servers.updateServer(changed)
        try await expect(try await stores.servers.server(named: "alpha") == changed, "update not visible")
        try await expect(try await stores.servers.serversWithKeyRotation() == [changed], "only the server with a rotation schedule is listed for it")
        changed.rateLimit = nil
        try await stores.servers.updateServer(changed)
        try await expect(try await stores.servers.server(named: "alpha")?.rateLimit == nil, "a removed rate limit is still there")
    }

    static func duplicateServer(_ stores: Stores) async throws {
        try await stores.servers.createServer(server("alpha"))
        try await expectError(.alreadyExists("")) { try await stores.servers.createServer(server("alpha")) }
    }

    static func updateUnknownServer(_ stores: Stores) async throws {
        try await expectError(.notFound("")) { try await stores.servers.updateServer(server("ghost")) }
    }

    static func scopesPerServer(_ stores: Stores) async throws {
        try await stores.scopes.createScope(Scope(server: "alpha", name: "orders.write"))
        try await stores.scopes.createScope(Scope(server: "alpha", name: "orders.read", description: "read orders"))
        try await stores.scopes.createScope(Scope(server: "beta", name: "orders.read"))
        try await expectError(.alreadyExists("")) { try await stores.scopes.createScope(Scope(server: "alpha", name: "orders.read")) }
        let alpha = try await stores.scopes.scopes(server: "alpha")
        try await expect(alpha.map(\.name) == ["orders.read", "orders.write"], "scopes should list by name, got \(alpha.map(\.name))")
        try await expect(alpha.first?.description == "read orders", "scope description lost")
        try await expect(try await stores.scopes.scopes(server: "beta").count == 1, "scopes leak across servers")
    }

    static func scopeUpdateAndDelete(_ stores: Stores) async throws {
        try await stores.scopes.createScope(Scope(server: "alpha", name: "orders.read"))
        try await stores.scopes.createScope(Scope(server: "beta", name: "orders.read", description: "beta's"))
        try await stores.scopes.updateScope(Scope(server: "alpha", name: "orders.read", description: "read orders"))
        try await expect(try await stores.scopes.scopes(server: "alpha").first?.description == "read orders", "description change not visible")
        try await expect(try await stores.scopes.scopes(server: "beta").first?.description == "beta's", "a change leaked to another server")
        try await expectError(.notFound("")) { try await stores.scopes.updateScope(Scope(server: "alpha", name: "ghost")) }
        try await stores.scopes.deleteScope(server: "alpha", name: "orders.read")
        try await expect(try await stores.scopes.scopes(server: "alpha").isEmpty, "deleted scope still listed")
        try await expect(try await stores.scopes.scopes(server: "beta").count == 1, "deleting leaked to another server")
        try await expectError(.notFound("")) { try await stores.scopes.deleteScope(server: "alpha", name: "orders.read") }
    }

    static func serverDeletion(_ stores: Stores) async throws {
        for name in ["alpha", "beta"] {
            try await stores.servers.createServer(server(name))
            try await stores.scopes.createScope(Scope(server: name, name: "orders.read"))
            try await stores.keys.addKey(SigningKey(server: name, kid: "k-\(name)", algorithm: "ES256", encryptedPrivateKey: Data([1]), publicJWK: "{}", createdAt: t0))
        }
        try await stores.clients.createClient(client("c1", server: "alpha"))
        try await expect(try await stores.servers.deleteServer(name: "alpha") == false, "a server with a client was deleted")
        try await expect(try await stores.servers.server(named: "alpha") != nil, "a refused deletion removed the server")
        try await expect(try await stores.keys.keys(server: "alpha").count == 1, "a refused deletion removed keys")
        try await stores.clients.deleteClient(id: "c1")
        try await expect(try await stores.servers.deleteServer(name: "alpha"), "a server without clients was not deleted")
        try await expect(try await stores.servers.server(named: "alpha") == nil, "deleted server still readable")
        try await expect(try await stores.scopes.scopes(server: "alpha").isEmpty, "the deleted server's scopes remain")
        try await expect(try await stores.keys.keys(server: "alpha").isEmpty, "the deleted server's keys remain")
        let betaKeys = try await stores.keys.keys(server: "beta").count
        let betaScopes = try await stores.scopes.scopes(server: "beta").count
        try await expect(betaKeys == 1 && betaScopes == 1, "deleting alpha touched beta")
        try await expectError(.notFound("")) { _ = try await stores.servers.deleteServer(name: "alpha") }
    }

    static func clientRoundTrip(_ stores: Stores) async throws {
        let first = client("c1")
        var second = client("c2", created: t0.addingTimeInterval(5))
        second.authMethod = .privateKeyJWT
        second.secrets = []
        second.jwksURI = "https://keys.example.com/jwks.json"
        second.rateLimit = RateLimit(requests: 50, period: 1)
        try await stores.clients.createClient(second)
        try await stores.clients.createClient(first)
        try await stores.clients.createClient(client("c3", server: "beta"))
        try await expectError(.alreadyExists("")) { try await stores.clients.createClient(first) }
        try await expect(try await stores.clients.client(id: "c1") == first, "client read back differs")
        try await expect(try await stores.clients.client(id: "c2") == second, "client without secret read back differs")
        try await expect(try await stores.clients.listClients(server: "alpha").map(\.id) == ["c1", "c2"], "clients should list by creation time")
        var disabled = first
        disabled.enabled = false
        disabled.secrets = [ClientSecretEntry(id: "sec_rotated", hash: Data([4, 5, 6]), createdAt: t0.addingTimeInterval(60))]
        disabled.rateLimit = RateLimit(requests: 10_000, period: 3600)
        disabled.previousJWKS = #"{"keys":[]}"#
        disabled.previousJWKSExpiresAt = t0.addingTimeInterval(3600)
        try await stores.clients.updateClient(disabled)
        try await expect(try await stores.clients.client(id: "c1") == disabled, "client update not visible")
        try await stores.clients.deleteClient(id: "c1")
        try await expect(try await stores.clients.client(id: "c1") == nil, "deleted client still readable")
    }

    static func secretUses(_ stores: Stores) async throws {
        try await stores.clients.createClient(client("c1"))
        try await expect(try await stores.clients.secretUses(clientID: "c1").isEmpty, "a new client has no secret uses")
        let version = try await stores.changes.changeVersion()
        try await stores.clients.recordSecretUses([SecretUse(clientID: "c1", secretID: "sec_new", at: t0.addingTimeInterval(120))])
        try await stores.clients.recordSecretUses([SecretUse(clientID: "c1", secretID: "sec_new", at: t0.addingTimeInterval(60)),
                                                   SecretUse(clientID: "c1", secretID: "sec_old", at: t0.addingTimeInterval(30)),
                                                   SecretUse(clientID: "c1", secretID: "sec_old", at: t0),
                                                   SecretUse(clientID: "c2", secretID: "sec_new", at: t0.addingTimeInterval(999))])
        let uses = try await stores.clients.secretUses(clientID: "c1")
        try await expect(uses == ["sec_new": t0.addingTimeInterval(120), "sec_old": t0.addingTimeInterval(30)],
                         "a batch keeps the latest use of each secret, an older one changes nothing: \(uses)")
        let many = (0..<2_500).map { SecretUse(clientID: "c\($0 % 3)", secretID: "sec_\($0)", at: t0.addingTimeInterval(Double($0))) }
        try await stores.clients.recordSecretUses(many)
        try await expect(try await stores.clients.secretUses(clientID: "c2").count == 834, "a batch of 2,500 uses is written whole")
        try await expect(try await stores.changes.changeVersion() == version, "recording a secret use moved the change version (every node would drop its caches)")
    }

    static func unknownClientChanges(_ stores: Stores) async throws {
        try await expectError(.notFound("")) { try await stores.clients.updateClient(client("ghost")) }
        try await expectError(.notFound("")) { try await stores.clients.deleteClient(id: "ghost") }
    }

    static func keysNewestFirst(_ stores: Stores) async throws {
        let old = SigningKey(server: "alpha", kid: "k1", algorithm: "ES256", encryptedPrivateKey: Data([1]), publicJWK: "{\"kid\":\"k1\"}", createdAt: t0)
        var new = SigningKey(server: "alpha", kid: "k2", algorithm: "ES256", encryptedPrivateKey: Data([2]), publicJWK: "{\"kid\":\"k2\"}", createdAt: t0.addingTimeInterval(60),
                             activatesAt: t0.addingTimeInterval(360))
        try await stores.keys.addKey(old)
        try await stores.keys.addKey(new)
        try await stores.keys.addKey(SigningKey(server: "beta", kid: "k3", algorithm: "ES256", encryptedPrivateKey: Data([3]), publicJWK: "{}", createdAt: t0))
        try await expectError(.alreadyExists("")) { try await stores.keys.addKey(old) }
        try await expect(try await stores.keys.keys(server: "alpha") == [new, old], "keys should list newest first")
        var retiring = old
        retiring.retiresAt = t0.addingTimeInterval(4000)
        try await stores.keys.updateKey(retiring)
        try await expect(try await stores.keys.keys(server: "alpha") == [new, retiring], "activation and retirement times read back differ")
        new.active = false
        try await stores.keys.updateKey(new)
        try await expect(try await stores.keys.keys(server: "alpha").first?.active == false, "key retirement not visible")
    }

    static func expect(_ condition: @autoclosure () async throws -> Bool, _ message: String) async throws {
        guard try await condition() else { throw ConformanceFailure(message) }
    }

    static func expectError(_ expected: StoreError, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as StoreError {
            switch (error, expected) {
            case (.alreadyExists, .alreadyExists), (.notFound, .notFound), (.unavailable, .unavailable): return
            default: throw ConformanceFailure("expected \(expected), got \(error)")
            }
        }
        throw ConformanceFailure("expected \(expected), but the call succeeded")
    }
}
