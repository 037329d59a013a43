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
        ("events older than the retention cutoff are purged", eventPurge),
    ]

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
        try await stores.servers.createServer(server("beta"))
        try await stores.servers.createServer(server("alpha"))
        try await expect(try await stores.servers.server(named: "alpha") == server("alpha"), "server read back differs")
        try await expect(try await stores.servers.server(named: "missing") == nil, "unknown server should be nil")
        try await expect(try await stores.servers.listServers().map(\.name) == ["alpha", "beta"], "servers should list by name")
        var changed = server("alpha")
        changed.accessTokenTTL = 120
        changed.audiences = ["https://other.example.com"]
        changed.rateLimit = RateLimit(requests: 600, period: 60)
        changed.maxAssertionLifetime = 300
        try await stores.servers.updateServer(changed)
        try await expect(try await stores.servers.server(named: "alpha") == changed, "update not visible")
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
        try await stores.clients.recordSecretUse(clientID: "c1", secretID: "sec_new", at: t0.addingTimeInterval(120))
        try await stores.clients.recordSecretUse(clientID: "c1", secretID: "sec_new", at: t0.addingTimeInterval(60))
        try await stores.clients.recordSecretUse(clientID: "c1", secretID: "sec_old", at: t0)
        try await stores.clients.recordSecretUse(clientID: "c2", secretID: "sec_new", at: t0.addingTimeInterval(999))
        let uses = try await stores.clients.secretUses(clientID: "c1")
        try await expect(uses == ["sec_new": t0.addingTimeInterval(120), "sec_old": t0], "secret uses read back differ: \(uses)")
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

    static func replayClaimOnce(_ stores: Stores) async throws {
        let expiry = t0.addingTimeInterval(60)
        try await expect(try await stores.replays.claim(clientID: "c1", jti: "j1", expiresAt: expiry, now: t0), "first use must be accepted")
        try await expect(!(try await stores.replays.claim(clientID: "c1", jti: "j1", expiresAt: expiry, now: t0.addingTimeInterval(30))), "replay must be refused")
        try await expect(try await stores.replays.claim(clientID: "c1", jti: "j1", expiresAt: expiry.addingTimeInterval(120), now: expiry.addingTimeInterval(1)),
                   "a jti may be reused once its entry expired")
    }

    static func replayPerClient(_ stores: Stores) async throws {
        let expiry = t0.addingTimeInterval(60)
        try await expect(try await stores.replays.claim(clientID: "c1", jti: "same", expiresAt: expiry, now: t0), "c1 first use")
        try await expect(try await stores.replays.claim(clientID: "c2", jti: "same", expiresAt: expiry, now: t0), "c2 first use must be independent of c1")
    }

    static func replayConcurrent(_ stores: Stores) async throws {
        let expiry = t0.addingTimeInterval(60)
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 {
                group.addTask { try await stores.replays.claim(clientID: "c1", jti: "race", expiresAt: expiry, now: t0) }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        try await expect(wins == 1, "exactly one concurrent claim must win, \(wins) did")
    }

    static func replayBurst(_ stores: Stores) async throws {
        let expiry = t0.addingTimeInterval(60)
        // 300 claims at once over 2 clients × 50 jtis: backends that write claims in groups see repeats
        // inside one group as well as across groups.
        let keys = (0..<300).map { index in ("c\(index % 2 + 1)", "burst-\(index % 100 / 2)") }
        let wins = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
            for (client, jti) in keys {
                group.addTask { ("\(client) \(jti)", try await stores.replays.claim(clientID: client, jti: jti, expiresAt: expiry, now: t0)) }
            }
            return try await group.reduce(into: [String: Int]()) { wins, result in wins[result.0, default: 0] += result.1 ? 1 : 0 }
        }
        try await expect(wins.count == 100 && wins.values.allSatisfy { $0 == 1 },
                         "every (client, jti) must win exactly once: \(wins.filter { $0.value != 1 })")
        for (client, jti) in keys.prefix(20) {
            try await expect(!(try await stores.replays.claim(clientID: client, jti: jti, expiresAt: expiry, now: t0.addingTimeInterval(1))),
                             "a claimed jti stays claimed: \(client) \(jti)")
        }
    }

    static func replayPurge(_ stores: Stores) async throws {
        _ = try await stores.replays.claim(clientID: "c1", jti: "old", expiresAt: t0.addingTimeInterval(10), now: t0)
        _ = try await stores.replays.claim(clientID: "c1", jti: "new", expiresAt: t0.addingTimeInterval(100), now: t0)
        let removed = try await stores.replays.purgeExpired(now: t0.addingTimeInterval(50))
        try await expect(removed == 1, "one entry should be purged, \(removed) were")
        try await expect(!(try await stores.replays.claim(clientID: "c1", jti: "new", expiresAt: t0.addingTimeInterval(100), now: t0.addingTimeInterval(50))),
                   "the unexpired entry must survive the purge")
    }

    static func token(_ seed: UInt8, kind: TokenRecord.Kind = .accessToken, parent: Data? = nil, expires: TimeInterval = 3600) -> TokenRecord {
        TokenRecord(hash: Data(repeating: seed, count: 32), kind: kind, server: "alpha", clientID: "c1", subject: "c1", username: seed == 1 ? "ada" : nil,
                    scopes: ["orders.read"], audiences: ["https://api.example.com", "api://alpha"], claims: ["env": .string("prod")],
                    jti: "jti-\(seed)", issuedAt: t0, notBefore: t0.addingTimeInterval(1), expiresAt: t0.addingTimeInterval(expires), parentHash: parent)
    }

    static func tokenRoundTrip(_ stores: Stores) async throws {
        let record = token(1, kind: .refreshToken)
        try await stores.tokens.saveToken(record)
        try await expect(try await stores.tokens.token(hash: record.hash) == record, "token read back differs")
        try await expect(try await stores.tokens.token(hash: Data(repeating: 9, count: 32)) == nil, "unknown hash should be nil")
        try await expectError(.alreadyExists("")) { try await stores.tokens.saveToken(record) }
    }

    static func revokeFamily(_ stores: Stores) async throws {
        let refresh = token(1, kind: .refreshToken)
        let child = token(2, parent: refresh.hash)
        let unrelated = token(3)
        for record in [refresh, child, unrelated] { try await stores.tokens.saveToken(record) }
        try await stores.tokens.linkJWT(parentHash: refresh.hash, server: "alpha", jti: "AT.jwt-child", expiresAt: t0.addingTimeInterval(600))
        try await expect(!(try await stores.tokens.isDenied(server: "alpha", jti: "AT.jwt-child")), "not denied before revocation")
        try await expect(try await stores.tokens.revokeToken(hash: refresh.hash, now: t0), "revoking a known token returns true")
        try await expect(try await stores.tokens.token(hash: refresh.hash)?.revoked == true, "refresh token revoked")
        try await expect(try await stores.tokens.token(hash: child.hash)?.revoked == true, "access token issued from it revoked")
        try await expect(try await stores.tokens.token(hash: unrelated.hash)?.revoked == false, "unrelated token untouched")
        try await expect(try await stores.tokens.isDenied(server: "alpha", jti: "AT.jwt-child"), "linked JWT denied")
        try await expect(!(try await stores.tokens.revokeToken(hash: Data(repeating: 7, count: 32), now: t0)), "unknown token returns false")
        try await expect(try await stores.tokens.revokeToken(hash: refresh.hash, now: t0), "revoking twice is fine")
    }

    static func denyListPerServer(_ stores: Stores) async throws {
        try await stores.tokens.denyJTI(server: "alpha", jti: "AT.1", expiresAt: t0.addingTimeInterval(60))
        try await stores.tokens.denyJTI(server: "alpha", jti: "AT.1", expiresAt: t0.addingTimeInterval(60))
        try await expect(try await stores.tokens.isDenied(server: "alpha", jti: "AT.1"), "denied jti")
        try await expect(!(try await stores.tokens.isDenied(server: "beta", jti: "AT.1")), "deny list leaks across servers")
    }

    static func tokenPurge(_ stores: Stores) async throws {
        try await stores.tokens.saveToken(token(1, expires: 10))
        try await stores.tokens.saveToken(token(2, expires: 1000))
        try await stores.tokens.denyJTI(server: "alpha", jti: "old", expiresAt: t0.addingTimeInterval(10))
        try await stores.tokens.linkJWT(parentHash: Data(repeating: 2, count: 32), server: "alpha", jti: "old-link", expiresAt: t0.addingTimeInterval(10))
        let removed = try await stores.tokens.purgeExpiredTokens(now: t0.addingTimeInterval(100))
        try await expect(removed == 3, "three expired rows should go, \(removed) did")
        try await expect(try await stores.tokens.token(hash: Data(repeating: 2, count: 32)) != nil, "live token kept")
        try await expect(!(try await stores.tokens.isDenied(server: "alpha", jti: "old")), "expired deny entry purged")
    }

    static func event(_ index: Int, client: String = "c1", outcome: Event.Outcome = .success, reason: String? = nil, at seconds: TimeInterval = 0) -> Event {
        Event(time: t0.addingTimeInterval(seconds), requestID: "req-\(index)", server: "alpha", endpoint: "token", clientID: client,
              outcome: outcome, reason: reason, message: "event \(index)", detail: ["n": String(index)], remoteAddress: "127.0.0.1", userAgent: "curl/8")
    }

    static func eventQueries(_ stores: Stores) async throws {
        let batch = (0..<450).map { event($0, client: $0 % 2 == 0 ? "c1" : "c2", outcome: $0 % 3 == 0 ? .failure : .success,
                                          reason: $0 % 3 == 0 ? "client_auth.secret_invalid" : nil, at: TimeInterval($0)) }
        try await stores.events.appendEvents(batch)
        let all = try await stores.events.events(matching: EventQuery(limit: 1000))
        try await expect(all.count == 450, "all events stored, got \(all.count)")
        try await expect(all.map(\.requestID) == batch.map(\.requestID), "events come back oldest first")
        var withoutID = all[7]
        withoutID.id = nil
        try await expect(withoutID == batch[7], "event read back differs")
        try await expect(zip(all, all.dropFirst()).allSatisfy { ($0.id ?? 0) < ($1.id ?? 0) }, "ids increase")
        let one = try await stores.events.events(matching: EventQuery(requestID: "req-42"))
        try await expect(one.map(\.message) == ["event 42"], "request id filter")
        let failures = try await stores.events.events(matching: EventQuery(clientID: "c1", outcome: .failure, limit: 1000))
        try await expect(failures.count == 75 && failures.allSatisfy { $0.clientID == "c1" && $0.outcome == .failure }, "client and outcome filters")
        let reason = try await stores.events.events(matching: EventQuery(reason: "client_auth.secret_invalid", limit: 1000))
        try await expect(reason.count == 150, "reason filter")
        let recent = try await stores.events.events(matching: EventQuery(since: t0.addingTimeInterval(440), limit: 1000))
        try await expect(recent.count == 10, "since filter")
        let newest = try await stores.events.events(matching: EventQuery(limit: 5))
        try await expect(newest.map(\.requestID) == (445..<450).map { "req-\($0)" }, "limit keeps the newest, oldest first")
        let after = try await stores.events.events(matching: EventQuery(afterID: all[447].id, limit: 100))
        try await expect(after.map(\.requestID) == ["req-448", "req-449"], "afterID follows new events")
        try await expect(try await stores.events.events(matching: EventQuery(server: "beta")).isEmpty, "server filter")
    }

    static func eventPurge(_ stores: Stores) async throws {
        try await stores.events.appendEvents([event(1, at: 0), event(2, at: 100), event(3, at: 200)])
        let removed = try await stores.events.purgeEvents(before: t0.addingTimeInterval(150))
        try await expect(removed == 2, "two old events purged, \(removed) were")
        try await expect(try await stores.events.events(matching: EventQuery()).map(\.requestID) == ["req-3"], "the recent event survives")
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

/// A conformance check that did not hold.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
