import Foundation
import TesseraStore
import TesseraJSON

/// A signed-in browser: the session record behind the session cookie.
public struct SignedInSession: Sendable, Equatable {
    public var record: TokenRecord
    /// The public session id (`sid` in tokens), not the cookie's secret.
    public var sid: String { record.jti }
    public var userID: String { record.subject }
    public var username: String { record.username ?? "" }
    public var authTime: Int64 { record.issuedAt.epochSeconds }
    /// How the user authenticated: `pwd` (a password; the value PingOne and Okta use for it).
    public var acr: String { record.claims["acr"]?.string ?? "pwd" }
    public var amr: [String] { record.claims["amr"]?.strings ?? ["pwd"] }
}

/// Signs users in with a password and keeps their sessions: checks the lockout first, the password
/// on the bounded hashing pool, records each failure and lock, and stores sessions so every node sees
/// them. The session cookie holds a random secret; the store keeps only its hash.
public struct SignIn: Sendable {
    public static let cookiePrefix = "tes_ss_"

    let users: any UserStore
    let tokens: any TokenStore
    let hasher: PasswordHasher
    let throttle: SignInThrottle
    let clock: any WallClock
    /// How long a session lasts from the sign-in.
    public let sessionLifetime: TimeInterval

    public init(users: any UserStore, tokens: any TokenStore, hasher: PasswordHasher, throttle: SignInThrottle, clock: any WallClock,
                sessionLifetime: TimeInterval = 12 * 3600) {
        self.users = users
        self.tokens = tokens
        self.hasher = hasher
        self.throttle = throttle
        self.clock = clock
        self.sessionLifetime = sessionLifetime
    }

    /// What a successful sign-in yields: the cookie value to set and the session.
    public struct Success: Sendable {
        public var cookie: String
        public var session: SignedInSession
        public var user: User
    }

    /// Checks `username` and `password` from `address`. Failures are `OAuthError`s whose descriptions are
    /// written for the person at the form ("wrong username or password", "locked until 14:05 UTC").
    public func signIn(username rawUsername: String, password: String, from address: String?) async throws(OAuthError) -> Success {
        let username = rawUsername.trimmingCharacters(in: .whitespaces).lowercased()
        let now = clock.now
        let found: User? = try await storeCall("looking up the user") { () throws(StoreError) in try await users.user(username: username) }
        if let lock = try await storeCall("the lockout check", { () throws(StoreError) in try await throttle.lock(userID: found?.id, address: address, at: now) }) {
            throw Self.locked(lock, username: username, userID: found?.id)
        }
        let matches: Bool
        do {
            matches = try await hasher.verify(password, against: found?.passwordHash)
        } catch .busy {
            throw OAuthError(.temporarilyUnavailable, .signInBusy, "too many sign-ins are being checked right now; try again in a moment", status: 503)
        } catch {
            throw OAuthError(.serverError, .internalError, "the password could not be checked", detail: ["error": String(describing: error), "username": username])
        }
        guard matches, let user = found else {
            let lock = try await storeCall("counting the failure") { () throws(StoreError) in
                try await throttle.recordFailure(userID: found?.id, address: address, at: now)
            }
            if let lock { throw Self.locked(lock, username: username, userID: found?.id, justNow: true) }
            throw OAuthError(.accessDenied, .signInWrongCredentials, "wrong username or password",
                             detail: ["username": username, "known_user": found == nil ? "false" : "true"], status: 401)
        }
        guard !user.disabled else {
            throw OAuthError(.accessDenied, .signInUserDisabled, "this account is disabled; ask your administrator", detail: ["username": username, "user_id": user.id],
                             status: 403)
        }
        try await storeCall("clearing the failures") { () throws(StoreError) in try await throttle.recordSuccess(userID: user.id, address: address) }
        if let stored = user.passwordHash, hasher.needsRehash(stored), let fresh = try? await hasher.hash(password) {
            var upgraded = user
            upgraded.passwordHash = fresh
            upgraded.updatedAt = now
            try? await users.updateUser(upgraded)
        }
        return try await startSession(for: user)
    }

    /// Starts a session for `user` (after a password check).
    func startSession(for user: User) async throws(OAuthError) -> Success {
        let now = Date(timeIntervalSince1970: TimeInterval(clock.now.epochSeconds))
        let cookie = Self.cookiePrefix + SecureRandom.token(byteCount: 32)
        let record = TokenRecord(
            hash: Hashing.sha256(cookie), kind: .session, server: "", clientID: "", subject: user.id, username: user.username, scopes: [],
            audiences: [], claims: ["acr": .string("pwd"), "amr": .array([.string("pwd")])], jti: SecureRandom.identifier(prefix: "sid"),
            issuedAt: now, expiresAt: now.addingTimeInterval(sessionLifetime))
        try await storeCall("saving the session") { () throws(StoreError) in try await tokens.saveToken(record) }
        return Success(cookie: cookie, session: SignedInSession(record: record), user: user)
    }

    /// The session behind a cookie value, when it is one, unexpired and not ended.
    public func session(cookie: String?) async throws(OAuthError) -> SignedInSession? {
        guard let cookie, cookie.hasPrefix(Self.cookiePrefix), cookie.count < 128 else { return nil }
        let found: TokenRecord? = try await storeCall("reading the session") { () throws(StoreError) in try await tokens.token(hash: Hashing.sha256(cookie)) }
        guard let record = found, record.kind == .session, !record.revoked, record.expiresAt > clock.now else { return nil }
        return SignedInSession(record: record)
    }

    /// Ends the session behind a cookie (logout).
    public func end(cookie: String) async throws(OAuthError) {
        _ = try await storeCall("ending the session") { () throws(StoreError) in try await tokens.revokeToken(hash: Hashing.sha256(cookie), now: clock.now) }
    }

    static func locked(_ lock: SignInThrottle.Lock, username: String, userID: String?, justNow: Bool = false) -> OAuthError {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "HH:mm"
        let whom = lock.scope == "address" ? "sign-ins from this address are" : "this account is"
        return OAuthError(.accessDenied, .signInLocked, "too many failed sign-ins: \(whom) locked until \(formatter.string(from: lock.until)) UTC",
                          detail: ["username": username, "user_id": userID ?? "", "lock": lock.scope, "until": String(lock.until.epochSeconds),
                                   "locked_now": justNow ? "true" : "false"],
                          status: 429)
    }
}
