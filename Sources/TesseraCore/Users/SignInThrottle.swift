import Foundation
import TesseraStore

/// Counts failed sign-ins and decides lockouts, in the database so every node sees the same counts.
///
/// Three counters, each in a fixed window (`window`, 15 minutes by default):
/// - **user at address**: `perUserAddress` failures (5) lock that user *at that address* until the window
///   ends. This is the lock a person mistyping their password meets, and it cannot be caused from
///   anywhere else: the user keeps signing in from their own address while an attacker elsewhere is locked.
/// - **address**: `perAddress` failures (20) lock the address for every user (password spraying).
/// - **user**: `perUser` failures (50) from any addresses lock the user everywhere until the window ends,
///   against a distributed guess of one password. An attacker with many addresses *can* keep a user
///   locked this way, but only for one window at a time after 50 failures, each an event an operator
///   sees (`users unlock` ends it); the trade-off is documented in docs/security.md.
public struct SignInThrottle: Sendable {
    public struct Policy: Sendable, Equatable {
        public var window: TimeInterval
        public var perUserAddress: Int
        public var perAddress: Int
        public var perUser: Int

        public static let standard = Policy(window: 900, perUserAddress: 5, perAddress: 20, perUser: 50)

        public init(window: TimeInterval, perUserAddress: Int, perAddress: Int, perUser: Int) {
            self.window = window
            self.perUserAddress = perUserAddress
            self.perAddress = perAddress
            self.perUser = perUser
        }
    }

    /// Why sign-in is refused before the password is even checked.
    public struct Lock: Sendable, Equatable {
        /// `user_address`, `address` or `user`.
        public var scope: String
        public var until: Date
    }

    let users: any UserStore
    public let policy: Policy

    public init(users: any UserStore, policy: Policy = .standard) {
        self.users = users
        self.policy = policy
    }

    /// A request without a known address (a test client, a Unix socket) counts as one shared address.
    static func keys(userID: String?, address: String?) -> [(scope: String, key: String)] {
        let address = address ?? "unknown"
        var keys: [(String, String)] = []
        if let userID { keys.append(("user_address", "ua:\(userID)|\(address)")) }
        keys.append(("address", "a:\(address)"))
        if let userID { keys.append(("user", "u:\(userID)")) }
        return keys
    }

    func limit(of scope: String) -> Int {
        switch scope {
        case "user_address": return policy.perUserAddress
        case "address": return policy.perAddress
        default: return policy.perUser
        }
    }

    /// The lock in force for this user at this address, if any.
    public func lock(userID: String?, address: String?, at now: Date) async throws(StoreError) -> Lock? {
        for (scope, key) in Self.keys(userID: userID, address: address) {
            if let failures = try await users.signInFailures(key: key, at: now, window: policy.window), failures.count >= limit(of: scope) {
                return Lock(scope: scope, until: failures.windowStart.addingTimeInterval(policy.window))
            }
        }
        return nil
    }

    /// Counts a failure; returns the lock it caused (the first counter that reached its limit with it).
    public func recordFailure(userID: String?, address: String?, at now: Date) async throws(StoreError) -> Lock? {
        var caused: Lock?
        for (scope, key) in Self.keys(userID: userID, address: address) {
            let failures = try await users.recordSignInFailure(key: key, at: now, window: policy.window)
            if caused == nil, failures.count == limit(of: scope) {
                caused = Lock(scope: scope, until: failures.windowStart.addingTimeInterval(policy.window))
            }
        }
        return caused
    }

    /// A successful sign-in clears the user's counters at this address (not the address's or the user's
    /// overall ones: one success must not reset a spraying count).
    public func recordSuccess(userID: String, address: String?) async throws(StoreError) {
        try await users.clearSignInFailures(key: "ua:\(userID)|\(address ?? "unknown")")
    }

    /// Ends every lock of a user (`tessera users unlock`): its own counter; address-bound counters expire.
    public func unlock(userID: String) async throws(StoreError) {
        try await users.clearSignInFailures(key: "u:\(userID)")
    }
}
