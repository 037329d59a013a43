import Foundation

/// Stores users, groups and the counters of failed sign-ins (shared by every node, so a lockout holds
/// whichever node an attacker reaches).
public protocol UserStore: Sendable {
    /// Adds a user; `alreadyExists` when the id or the username is taken.
    func createUser(_ user: User) async throws(StoreError)
    /// Replaces a user; `notFound` for an unknown id, `alreadyExists` for a username another user has.
    func updateUser(_ user: User) async throws(StoreError)
    /// Removes a user and its group memberships; `notFound` for an unknown id.
    func deleteUser(id: String) async throws(StoreError)
    func user(id: String) async throws(StoreError) -> User?
    /// The user with this (lowercased) username, or nil.
    func user(username: String) async throws(StoreError) -> User?
    /// Every user, by username.
    func listUsers() async throws(StoreError) -> [User]

    /// Adds an empty group; `alreadyExists` when the name is taken.
    func createGroup(name: String) async throws(StoreError)
    /// Removes a group; `notFound` for an unknown name.
    func deleteGroup(name: String) async throws(StoreError)
    /// Every group with its members, by name.
    func listGroups() async throws(StoreError) -> [UserGroup]
    /// Adds a member (adding a member twice is no error); `notFound` for an unknown group or user.
    func addMember(group: String, userID: String) async throws(StoreError)
    /// Removes a member; `notFound` when the user is not a member of the group.
    func removeMember(group: String, userID: String) async throws(StoreError)
    /// The names of the groups `userID` belongs to, sorted.
    func groups(ofUser userID: String) async throws(StoreError) -> [String]

    /// Counts one failed sign-in under `key` (a user, an address) in a fixed window: a count whose window
    /// began more than `window` seconds before `time` starts again at 1. Returns the count and when its
    /// window began. One atomic step.
    func recordSignInFailure(key: String, at time: Date, window: TimeInterval) async throws(StoreError) -> SignInFailures
    /// The failures counted under `key` in the window that contains `time`, or nil.
    func signInFailures(key: String, at time: Date, window: TimeInterval) async throws(StoreError) -> SignInFailures?
    /// Forgets the failures under `key` (after a successful sign-in, or `users unlock`).
    func clearSignInFailures(key: String) async throws(StoreError)
}

/// Failed sign-ins counted under one key in one window.
public struct SignInFailures: Sendable, Equatable {
    public var count: Int
    public var windowStart: Date

    public init(count: Int, windowStart: Date) {
        self.count = count
        self.windowStart = windowStart
    }
}
