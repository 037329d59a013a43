import Foundation
import TesseraStore

/// The checks of users, groups, failed sign-in counters, single-use tokens and the sign-in settings of
/// clients and servers.
extension StoreConformance {
    static let userChecks: [(name: String, run: Check)] = [
        ("users round-trip by id and username; a taken username is alreadyExists", userRoundTrip),
        ("groups hold members; deleting a user or group drops its memberships", groupMembership),
        ("failed sign-ins are counted per key in a fixed window and cleared", signInFailureWindow),
        ("a single-use token is used once: concurrent uses see exactly one first", singleUseToken),
        ("a user's sessions and refresh tokens are listed by subject and kind, newest first", tokensBySubject),
        ("the sign-in settings of clients and servers round-trip", signInSettingsRoundTrip),
    ]

    static func user(_ id: String, _ username: String) -> User {
        User(id: id, username: username, displayName: "Ada \(id)", email: "\(username)@example.com", emailVerified: true,
             passwordHash: "$pbkdf2-sha256$i=1000$c2FsdA$aGFzaA", createdAt: t0)
    }

    static func userRoundTrip(_ stores: Stores) async throws {
        let users = stores.users
        try await users.createUser(user("00u1", "ada"))
        try await users.createUser(user("00u2", "grace"))
        try await expect(try await users.user(id: "00u1") == user("00u1", "ada"), "a user reads back by id as written")
        try await expect(try await users.user(username: "grace")?.id == "00u2", "a user reads back by username")
        try await expect(try await users.user(username: "nobody") == nil, "an unknown username is nil")
        try await expectError(.alreadyExists("user ada")) { try await users.createUser(user("00u3", "ada")) }
        var changed = user("00u1", "ada.l")
        changed.disabled = true
        changed.passwordHash = nil
        changed.updatedAt = t0.addingTimeInterval(5)
        try await users.updateUser(changed)
        try await expect(try await users.user(id: "00u1") == changed, "an update replaces every field")
        try await expectError(.alreadyExists("user grace")) {
            try await users.updateUser(user("00u1", "grace"))
        }
        try await expectError(.notFound("user 00u9")) { try await users.updateUser(user("00u9", "x")) }
        try await expect(try await users.listUsers().map(\.username) == ["ada.l", "grace"], "users are listed by username")
        try await users.deleteUser(id: "00u2")
        try await expect(try await users.user(id: "00u2") == nil, "a deleted user is gone")
        try await expectError(.notFound("user 00u2")) { try await users.deleteUser(id: "00u2") }
    }

    static func groupMembership(_ stores: Stores) async throws {
        let users = stores.users
        try await users.createUser(user("00u1", "ada"))
        try await users.createUser(user("00u2", "grace"))
        try await users.createGroup(name: "admins")
        try await users.createGroup(name: "staff")
        try await expectError(.alreadyExists("group admins")) { try await users.createGroup(name: "admins") }
        try await users.addMember(group: "admins", userID: "00u1")
        try await users.addMember(group: "admins", userID: "00u1")
        try await users.addMember(group: "staff", userID: "00u1")
        try await users.addMember(group: "staff", userID: "00u2")
        try await expectError(.notFound("group nope or user 00u1")) { try await users.addMember(group: "nope", userID: "00u1") }
        try await expectError(.notFound("group staff or user 00u9")) { try await users.addMember(group: "staff", userID: "00u9") }
        try await expect(try await users.groups(ofUser: "00u1") == ["admins", "staff"], "ada's groups, sorted")
        try await expect(try await users.listGroups() == [UserGroup(name: "admins", members: ["00u1"]), UserGroup(name: "staff", members: ["00u1", "00u2"])],
                         "groups are listed with their members")
        try await users.removeMember(group: "staff", userID: "00u1")
        try await expectError(.notFound("member 00u1 of group staff")) { try await users.removeMember(group: "staff", userID: "00u1") }
        try await users.deleteUser(id: "00u2")
        try await expect(try await users.listGroups().first { $0.name == "staff" }?.members == [], "a deleted user leaves its groups")
        try await users.deleteGroup(name: "admins")
        try await expect(try await users.groups(ofUser: "00u1") == [], "a deleted group leaves its members")
        try await users.createGroup(name: "admins")
        try await expect(try await users.listGroups().first { $0.name == "admins" }?.members == [], "a group created again starts empty")
    }

    static func signInFailureWindow(_ stores: Stores) async throws {
        let users = stores.users
        for step in 0..<3 {
            let counted = try await users.recordSignInFailure(key: "user:00u1", at: t0.addingTimeInterval(Double(step)), window: 60)
            try await expect(counted == SignInFailures(count: step + 1, windowStart: t0), "failure \(step + 1) counts in the window of the first: \(counted)")
        }
        try await expect(try await users.signInFailures(key: "user:00u1", at: t0.addingTimeInterval(30), window: 60)?.count == 3, "three failures in the window")
        try await expect(try await users.signInFailures(key: "user:00u1", at: t0.addingTimeInterval(61), window: 60) == nil, "none once the window ended")
        try await expect(try await users.signInFailures(key: "addr:10.0.0.1", at: t0, window: 60) == nil, "keys are independent")
        let later = try await users.recordSignInFailure(key: "user:00u1", at: t0.addingTimeInterval(61), window: 60)
        try await expect(later == SignInFailures(count: 1, windowStart: t0.addingTimeInterval(61)), "a failure after the window starts a new one: \(later)")
        try await users.clearSignInFailures(key: "user:00u1")
        try await expect(try await users.signInFailures(key: "user:00u1", at: t0.addingTimeInterval(62), window: 60) == nil, "cleared")
        let concurrent = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<10 { group.addTask { try await users.recordSignInFailure(key: "addr:x", at: t0, window: 60).count } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        try await expect(concurrent.sorted() == Array(1...10), "ten concurrent failures count 1 to 10: \(concurrent.sorted())")
    }

    static func singleUseToken(_ stores: Stores) async throws {
        let code = TokenRecord(hash: Data([7, 7]), kind: .authorizationCode, server: "alpha", clientID: "0oa1", subject: "00u1", username: "ada",
                               scopes: ["openid"], audiences: [], claims: ["redirect_uri": .string("https://app.example.com/cb")], jti: "AC.1",
                               issuedAt: t0, expiresAt: t0.addingTimeInterval(86_400))
        try await stores.tokens.saveToken(code)
        try await expect(try await stores.tokens.useToken(hash: Data([9]), clientID: "0oa1", at: t0) == .unknown, "an unknown token is unknown")
        try await expect(try await stores.tokens.useToken(hash: code.hash, clientID: "0oa2", at: t0) == .otherClient(code),
                         "another client's use is refused and leaves the code unused")
        let uses = try await withThrowingTaskGroup(of: TokenUse.self) { group in
            for _ in 0..<8 { group.addTask { try await stores.tokens.useToken(hash: code.hash, clientID: "0oa1", at: t0.addingTimeInterval(1)) } }
            return try await group.reduce(into: [TokenUse]()) { $0.append($1) }
        }
        try await expect(uses.filter { $0 == .first(code) }.count == 1, "exactly one of eight concurrent uses is the first, with the record as saved: \(uses)")
        var used = code
        used.usedAt = t0.addingTimeInterval(1)
        try await expect(uses.filter { $0 == .again(used) }.count == 7, "the seven others see it used, with the time of use")
        try await expect(try await stores.tokens.token(hash: code.hash)?.usedAt == t0.addingTimeInterval(1), "the record keeps the time of use")
    }

    static func tokensBySubject(_ stores: Stores) async throws {
        for (index, kind) in [TokenRecord.Kind.session, .refreshToken, .session, .accessToken].enumerated() {
            try await stores.tokens.saveToken(TokenRecord(
                hash: Data([UInt8(index)]), kind: kind, server: "alpha", clientID: "0oa1", subject: index == 3 ? "00u2" : "00u1", username: "ada",
                scopes: [], audiences: [], jti: "J\(index)", issuedAt: t0.addingTimeInterval(Double(index)), expiresAt: t0.addingTimeInterval(3600)))
        }
        try await expect(try await stores.tokens.tokens(subject: "00u1", kind: .session).map(\.jti) == ["J2", "J0"], "ada's sessions, newest first")
        try await expect(try await stores.tokens.tokens(subject: "00u1", kind: .refreshToken).map(\.jti) == ["J1"], "ada's refresh tokens")
        try await expect(try await stores.tokens.tokens(subject: "00u2", kind: .session).isEmpty, "grace has no session")
    }

    static func signInSettingsRoundTrip(_ stores: Stores) async throws {
        var server = server("alpha")
        server.refreshTokenLifetime = 86_400
        server.refreshTokenIdleLifetime = 3_600
        server.groupsClaim = true
        try await stores.servers.createServer(server)
        try await expect(try await stores.servers.server(named: "alpha") == server, "refresh lifetimes and the groups claim round-trip")
        var client = client("0oa1")
        client.grantTypes = ["authorization_code", "refresh_token"]
        client.redirectURIs = ["https://app.example.com/cb", "http://127.0.0.1/cb"]
        client.postLogoutRedirectURIs = ["https://app.example.com/"]
        client.firstParty = true
        try await stores.clients.createClient(client)
        try await expect(try await stores.clients.client(id: "0oa1") == client, "grant types, redirect URIs and first party round-trip")
        client.firstParty = false
        client.redirectURIs = []
        try await stores.clients.updateClient(client)
        try await expect(try await stores.clients.client(id: "0oa1") == client, "and update")
        let plain = Self.client("0oa2")
        try await stores.clients.createClient(plain)
        try await expect(try await stores.clients.client(id: "0oa2")?.grantTypes == ["client_credentials"], "a client gets client_credentials by default")
    }
}
