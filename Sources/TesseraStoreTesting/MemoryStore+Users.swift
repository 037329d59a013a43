import Foundation
import TesseraStore

extension MemoryStore {
    public func createUser(_ user: User) async throws(StoreError) {
        try write { state throws(StoreError) in
            guard state.users[user.id] == nil, !state.users.values.contains(where: { $0.username == user.username }) else {
                throw .alreadyExists("user \(user.username)")
            }
            state.users[user.id] = user
        }
    }

    public func updateUser(_ user: User) async throws(StoreError) {
        try write { state throws(StoreError) in
            guard state.users[user.id] != nil else { throw .notFound("user \(user.id)") }
            guard !state.users.values.contains(where: { $0.username == user.username && $0.id != user.id }) else {
                throw .alreadyExists("user \(user.username)")
            }
            state.users[user.id] = user
        }
    }

    public func deleteUser(id: String) async throws(StoreError) {
        try write { state throws(StoreError) in
            guard state.users.removeValue(forKey: id) != nil else { throw .notFound("user \(id)") }
            for name in state.groups.keys { state.groups[name]?.remove(id) }
        }
    }

    public func user(id: String) async throws(StoreError) -> User? { read { $0.users[id] } }

    public func user(username: String) async throws(StoreError) -> User? { read { $0.users.values.first { $0.username == username } } }

    public func listUsers() async throws(StoreError) -> [User] { read { $0.users.values.sorted { $0.username < $1.username } } }

    public func createGroup(name: String) async throws(StoreError) {
        try write { state throws(StoreError) in
            guard state.groups[name] == nil else { throw .alreadyExists("group \(name)") }
            state.groups[name] = []
        }
    }

    public func deleteGroup(name: String) async throws(StoreError) {
        try write { state throws(StoreError) in
            guard state.groups.removeValue(forKey: name) != nil else { throw .notFound("group \(name)") }
        }
    }

    public func listGroups() async throws(StoreError) -> [UserGroup] {
        read { state in state.groups.map { UserGroup(name: $0.key, members: $0.value.sorted()) }.sorted { $0.name < $1.name } }
    }

    public func addMember(group: String, userID: String) async throws(StoreError) {
        try write { state throws(StoreError) in
            guard state.groups[group] != nil, state.users[userID] != nil else { throw .notFound("group \(group) or user \(userID)") }
            state.groups[group]?.insert(userID)
        }
    }

    public func removeMember(group: String, userID: String) async throws(StoreError) {
        try write { state throws(StoreError) in
            guard state.groups[group]?.remove(userID) != nil else { throw .notFound("member \(userID) of group \(group)") }
        }
    }

    public func groups(ofUser userID: String) async throws(StoreError) -> [String] {
        read { state in state.groups.filter { $0.value.contains(userID) }.keys.sorted() }
    }

    public func recordSignInFailure(key: String, at time: Date, window: TimeInterval) async throws(StoreError) -> SignInFailures {
        state.withLock { state in
            var failures = state.signInFailures[key] ?? SignInFailures(count: 0, windowStart: time)
            if failures.windowStart <= time.addingTimeInterval(-window) { failures = SignInFailures(count: 0, windowStart: time) }
            failures.count += 1
            state.signInFailures[key] = failures
            return failures
        }
    }

    public func signInFailures(key: String, at time: Date, window: TimeInterval) async throws(StoreError) -> SignInFailures? {
        read { state in state.signInFailures[key].flatMap { $0.windowStart > time.addingTimeInterval(-window) ? $0 : nil } }
    }

    public func clearSignInFailures(key: String) async throws(StoreError) {
        state.withLock { state in _ = state.signInFailures.removeValue(forKey: key) }
    }
}
