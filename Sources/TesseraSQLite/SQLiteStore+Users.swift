import Foundation
import SQLiteNIO
import TesseraStore

extension SQLiteStore: UserStore {
    public func createUser(_ user: User) async throws(StoreError) {
        try await run(
            """
            INSERT INTO users (id, username, display_name, email, email_verified, password_hash, disabled, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(user.id), .text(user.username), .text(user.displayName), .text(user.email), .integer(user.emailVerified ? 1 : 0),
             .text(user.passwordHash), .integer(user.disabled ? 1 : 0), .date(user.createdAt), .date(user.updatedAt)],
            duplicate: "user \(user.username)")
    }

    public func updateUser(_ user: User) async throws(StoreError) {
        let touched = try await run(
            """
            UPDATE users SET username = ?, display_name = ?, email = ?, email_verified = ?, password_hash = ?, disabled = ?, updated_at = ?
            WHERE id = ? RETURNING 1 AS touched
            """,
            [.text(user.username), .text(user.displayName), .text(user.email), .integer(user.emailVerified ? 1 : 0), .text(user.passwordHash),
             .integer(user.disabled ? 1 : 0), .date(user.updatedAt), .text(user.id)],
            duplicate: "user \(user.username)")
        if touched.isEmpty { throw StoreError.notFound("user \(user.id)") }
    }

    public func deleteUser(id: String) async throws(StoreError) {
        try await change("DELETE FROM users WHERE id = ?", [.text(id)], missing: "user \(id)")
        try await run("DELETE FROM group_members WHERE user_id = ?", [.text(id)])
    }

    public func user(id: String) async throws(StoreError) -> User? {
        try await run("SELECT * FROM users WHERE id = ?", [.text(id)]).first.map(Self.user(from:))
    }

    public func user(username: String) async throws(StoreError) -> User? {
        try await run("SELECT * FROM users WHERE username = ?", [.text(username)]).first.map(Self.user(from:))
    }

    public func listUsers() async throws(StoreError) -> [User] {
        try await run("SELECT * FROM users ORDER BY username").map(Self.user(from:))
    }

    public func createGroup(name: String) async throws(StoreError) {
        try await run("INSERT INTO user_groups (name, created_at) VALUES (?, ?)", [.text(name), .date(Date())], duplicate: "group \(name)")
    }

    public func deleteGroup(name: String) async throws(StoreError) {
        try await change("DELETE FROM user_groups WHERE name = ?", [.text(name)], missing: "group \(name)")
        try await run("DELETE FROM group_members WHERE group_name = ?", [.text(name)])
    }

    public func listGroups() async throws(StoreError) -> [UserGroup] {
        var groups: [UserGroup] = try await run("SELECT name FROM user_groups ORDER BY name").map { UserGroup(name: $0.text("name") ?? "") }
        var index: [String: Int] = [:]
        for (position, group) in groups.enumerated() { index[group.name] = position }
        for row in try await run("SELECT group_name, user_id FROM group_members ORDER BY user_id") {
            if let position = index[row.text("group_name") ?? ""] { groups[position].members.append(row.text("user_id") ?? "") }
        }
        return groups
    }

    public func addMember(group: String, userID: String) async throws(StoreError) {
        let inserted = try await run(
            """
            INSERT INTO group_members (group_name, user_id)
            SELECT ?, ? WHERE EXISTS (SELECT 1 FROM user_groups WHERE name = ?) AND EXISTS (SELECT 1 FROM users WHERE id = ?)
            ON CONFLICT DO NOTHING RETURNING 1 AS added
            """,
            [.text(group), .text(userID), .text(group), .text(userID)])
        if inserted.isEmpty, try await run("SELECT 1 AS member FROM group_members WHERE group_name = ? AND user_id = ?", [.text(group), .text(userID)]).isEmpty {
            throw StoreError.notFound("group \(group) or user \(userID)")
        }
    }

    public func removeMember(group: String, userID: String) async throws(StoreError) {
        try await change("DELETE FROM group_members WHERE group_name = ? AND user_id = ?", [.text(group), .text(userID)],
                         missing: "member \(userID) of group \(group)")
    }

    public func groups(ofUser userID: String) async throws(StoreError) -> [String] {
        try await run("SELECT group_name FROM group_members WHERE user_id = ? ORDER BY group_name", [.text(userID)]).map { $0.text("group_name") ?? "" }
    }

    public func recordSignInFailure(key: String, at time: Date, window: TimeInterval) async throws(StoreError) -> SignInFailures {
        let rows = try await run(
            """
            INSERT INTO sign_in_failures (key, count, window_start) VALUES (?, 1, ?)
            ON CONFLICT (key) DO UPDATE SET
                count = CASE WHEN sign_in_failures.window_start <= excluded.window_start - ? THEN 1 ELSE sign_in_failures.count + 1 END,
                window_start = CASE WHEN sign_in_failures.window_start <= excluded.window_start - ? THEN excluded.window_start
                                    ELSE sign_in_failures.window_start END
            RETURNING count, window_start
            """,
            [.text(key), .date(time), .float(window), .float(window)])
        return SignInFailures(count: rows.first?.int("count") ?? 1, windowStart: rows.first?.date("window_start") ?? time)
    }

    public func signInFailures(key: String, at time: Date, window: TimeInterval) async throws(StoreError) -> SignInFailures? {
        guard let row = try await run("SELECT count, window_start FROM sign_in_failures WHERE key = ? AND window_start > ?",
                                      [.text(key), .date(time.addingTimeInterval(-window))]).first else { return nil }
        return SignInFailures(count: row.int("count"), windowStart: row.date("window_start"))
    }

    public func clearSignInFailures(key: String) async throws(StoreError) {
        try await run("DELETE FROM sign_in_failures WHERE key = ?", [.text(key)])
    }

    static func user(from row: SQLiteRow) -> User {
        User(id: row.text("id") ?? "", username: row.text("username") ?? "", displayName: row.text("display_name"), email: row.text("email"),
             emailVerified: row.int("email_verified") != 0, passwordHash: row.text("password_hash"), disabled: row.int("disabled") != 0,
             createdAt: row.date("created_at"), updatedAt: row.date("updated_at"))
    }
}
