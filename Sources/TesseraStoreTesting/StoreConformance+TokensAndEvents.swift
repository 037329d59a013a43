import Foundation
import TesseraStore

/// The checks of replay claims, token records and the event log.
extension StoreConformance {
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
        let before = try await stores.events.events(matching: EventQuery(beforeID: all[447].id, limit: 2))
        try await expect(before.map(\.requestID) == ["req-445", "req-446"], "beforeID pages back: the newest two below the cursor, oldest first")
        try await expect(try await stores.events.events(matching: EventQuery(server: "beta")).isEmpty, "server filter")
    }

    static func eventsOfOneClientAmongMany(_ stores: Stores) async throws {
        let rare: Set = [5, 1_500, 2_990]
        let batch = (0..<3_000).map { event($0, client: rare.contains($0) ? "c3" : "c\(4 + $0 % 50)", at: TimeInterval($0)) }
        try await stores.events.appendEvents(batch)
        let all = try await stores.events.events(matching: EventQuery(clientID: "c3", limit: 1000))
        try await expect(all.map(\.requestID) == ["req-5", "req-1500", "req-2990"], "every event of the client, oldest first, got \(all.map(\.requestID))")
        let newest = try await stores.events.events(matching: EventQuery(clientID: "c3", limit: 2))
        try await expect(newest.map(\.requestID) == ["req-1500", "req-2990"], "the limit keeps the client's newest")
        let before = try await stores.events.events(matching: EventQuery(clientID: "c3", beforeID: all[2].id, limit: 1))
        try await expect(before.map(\.requestID) == ["req-1500"], "beforeID pages back within the client")
        let after = try await stores.events.events(matching: EventQuery(clientID: "c3", afterID: all[0].id, limit: 100))
        try await expect(after.map(\.requestID) == ["req-1500", "req-2990"], "afterID follows the client")
        let since = try await stores.events.events(matching: EventQuery(clientID: "c3", since: t0.addingTimeInterval(1_000), limit: 100))
        try await expect(since.map(\.requestID) == ["req-1500", "req-2990"], "since within the client")
        try await expect(try await stores.events.events(matching: EventQuery(clientID: "c-none")).isEmpty, "a client without events has none")
        let busy = try await stores.events.events(matching: EventQuery(clientID: "c4", limit: 1000))
        try await expect(busy.count == 59 && zip(busy, busy.dropFirst()).allSatisfy { ($0.id ?? 0) < ($1.id ?? 0) },
                         "a busy client's events in order, got \(busy.count)")
    }

    static func eventPurge(_ stores: Stores) async throws {
        try await stores.events.appendEvents([event(1, at: 0), event(2, at: 100), event(3, at: 200)])
        try await expect(try await stores.events.purgeEvents(before: t0.addingTimeInterval(150), limit: 1) == 1, "a batch stops at its limit")
        try await expect(try await stores.events.events(matching: EventQuery()).map(\.requestID) == ["req-2", "req-3"], "the oldest went first")
        let removed = try await stores.events.purgeEvents(before: t0.addingTimeInterval(150), limit: 10)
        try await expect(removed == 1, "the other old event is purged, \(removed) were")
        try await expect(try await stores.events.events(matching: EventQuery()).map(\.requestID) == ["req-3"], "the recent event survives")
    }

    static func eventSizeBound(_ stores: Stores) async throws {
        try await stores.events.appendEvents((0..<10).map { event($0, at: TimeInterval($0)) })
        try await expect(try await stores.events.purgeEvents(keepingNewest: 4, limit: 4) == 4, "a batch of four of the six beyond the bound")
        try await expect(try await stores.events.purgeEvents(keepingNewest: 4, limit: 4) == 2, "then the two left beyond it")
        try await expect(try await stores.events.purgeEvents(keepingNewest: 4, limit: 4) == 0, "then none")
        let left = try await stores.events.events(matching: EventQuery(limit: 100)).map(\.requestID)
        try await expect(left == (6..<10).map { "req-\($0)" }, "the newest four are kept, oldest deleted first: \(left)")
    }
}
