import Foundation
import PostgresNIO
import TesseraStore

extension PostgresStore: UserStore {
    public func createUser(_ user: User) async throws(StoreError) {
        try await run(
            """
            INSERT INTO users (id, username, display_name, email, email_verified, password_hash, disabled, created_at, updated_at)
            VALUES (\(user.id), \(user.username), \(user.displayName), \(user.email), \(user.emailVerified), \(user.passwordHash), \(user.disabled),
                    \(user.createdAt.timeIntervalSince1970), \(user.updatedAt.timeIntervalSince1970))
            """,
            duplicate: "user \(user.username)")
    }

    public func updateUser(_ user: User) async throws(StoreError) {
        let touched = try await run(
            """
            UPDATE users SET username = \(user.username), display_name = \(user.displayName), email = \(user.email),
            email_verified = \(user.emailVerified), password_hash = \(user.passwordHash), disabled = \(user.disabled),
            updated_at = \(user.updatedAt.timeIntervalSince1970) WHERE id = \(user.id) RETURNING 1
            """,
            duplicate: "user \(user.username)")
        if touched.isEmpty { throw StoreError.notFound("user \(user.id)") }
    }

    public func deleteUser(id: String) async throws(StoreError) {
        try await change("DELETE FROM users WHERE id = \(id)", missing: "user \(id)")
        try await run("DELETE FROM group_members WHERE user_id = \(id)")
    }

    public func user(id: String) async throws(StoreError) -> User? {
        try await run("SELECT * FROM users WHERE id = \(id)").first.map(Self.user(from:))
    }

    public func user(username: String) async throws(StoreError) -> User? {
        try await run("SELECT * FROM users WHERE username = \(username)").first.map(Self.user(from:))
    }

    public func listUsers() async throws(StoreError) -> [User] {
        try await run("SELECT * FROM users ORDER BY username").map(Self.user(from:))
    }

    public func createGroup(name: String) async throws(StoreError) {
        try await run("INSERT INTO user_groups (name, created_at) VALUES (\(name), \(Date().timeIntervalSince1970))", duplicate: "group \(name)")
    }

    public func deleteGroup(name: String) async throws(StoreError) {
        try await change("DELETE FROM user_groups WHERE name = \(name)", missing: "group \(name)")
        try await run("DELETE FROM group_members WHERE group_name = \(name)")
    }

    public func listGroups() async throws(StoreError) -> [UserGroup] {
        var groups: [UserGroup] = try await run("SELECT name FROM user_groups ORDER BY name").map { row throws(StoreError) in UserGroup(name: try row.text("name")) }
        var index: [String: Int] = [:]
        for (position, group) in groups.enumerated() { index[group.name] = position }
        for row in try await run("SELECT group_name, user_id FROM group_members ORDER BY user_id") {
            if let position = index[try row.text("group_name")] { groups[position].members.append(try row.text("user_id")) }
        }
        return groups
    }

    public func addMember(group: String, userID: String) async throws(StoreError) {
        let inserted = try await run(
            """
            INSERT INTO group_members (group_name, user_id)
            SELECT \(group), \(userID) WHERE EXISTS (SELECT 1 FROM user_groups WHERE name = \(group)) AND EXISTS (SELECT 1 FROM users WHERE id = \(userID))
            ON CONFLICT DO NOTHING RETURNING 1
            """)
        if inserted.isEmpty, try await run("SELECT 1 FROM group_members WHERE group_name = \(group) AND user_id = \(userID)").isEmpty {
            throw StoreError.notFound("group \(group) or user \(userID)")
        }
    }

    public func removeMember(group: String, userID: String) async throws(StoreError) {
        try await change("DELETE FROM group_members WHERE group_name = \(group) AND user_id = \(userID)", missing: "member \(userID) of group \(group)")
    }

    public func groups(ofUser userID: String) async throws(StoreError) -> [String] {
        try await run("SELECT group_name FROM group_members WHERE user_id = \(userID) ORDER BY group_name").map { row throws(StoreError) in
            try row.text("group_name")
        }
    }

    public func recordSignInFailure(key: String, at time: Date, window: TimeInterval) async throws(StoreError) -> SignInFailures {
        let now = time.timeIntervalSince1970
        let rows = try await run(
            """
            INSERT INTO sign_in_failures (key, count, window_start) VALUES (\(key), 1, \(now))
            ON CONFLICT (key) DO UPDATE SET
                count = CASE WHEN sign_in_failures.window_start <= excluded.window_start - \(window) THEN 1 ELSE sign_in_failures.count + 1 END,
                window_start = CASE WHEN sign_in_failures.window_start <= excluded.window_start - \(window) THEN excluded.window_start
                                    ELSE sign_in_failures.window_start END
            RETURNING count, window_start
            """)
        guard let row = rows.first else { return SignInFailures(count: 1, windowStart: time) }
        return SignInFailures(count: try row.int("count"), windowStart: try row.date("window_start"))
    }

    public func signInFailures(key: String, at time: Date, window: TimeInterval) async throws(StoreError) -> SignInFailures? {
        guard let row = try await run("SELECT count, window_start FROM sign_in_failures WHERE key = \(key) AND window_start > \(time.timeIntervalSince1970 - window)").first
        else { return nil }
        return SignInFailures(count: try row.int("count"), windowStart: try row.date("window_start"))
    }

    public func clearSignInFailures(key: String) async throws(StoreError) {
        try await run("DELETE FROM sign_in_failures WHERE key = \(key)")
    }

    static func user(from row: PostgresRowReader) throws(StoreError) -> User {
        User(id: try row.text("id"), username: try row.text("username"), displayName: try row.optionalText("display_name"),
             email: try row.optionalText("email"), emailVerified: try row.bool("email_verified"), passwordHash: try row.optionalText("password_hash"),
             disabled: try row.bool("disabled"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
