import TesseraJSON
import TesseraStore

/// `/api/v1/users` and `/api/v1/groups`. A password goes in only (it is hashed at once) and never comes
/// back; the event names which fields changed, never their values.
extension ManagementAPI {
    public func listUsers(caller: Caller) async throws(OAuthError) -> Answer {
        let users = try await admin("listing users") { try await stores.users.listUsers() }
        let groups = try await admin("listing groups") { try await stores.users.listGroups() }
        let items = users.map { user in ManagementJSON.user(user, groups: groups.filter { $0.members.contains(user.id) }.map(\.name)) }
        return Self.list("users", items, caller: caller, "listed \(users.count) users")
    }

    public func user(_ nameOrID: String, caller: Caller) async throws(OAuthError) -> Answer {
        let body = try await representation(ofUser: nameOrID)
        return Self.answer(200, body, caller: caller, "read user \(nameOrID)", changed: false)
    }

    /// What `POST /api/v1/users` asks for, read from its body (also `tessera apply`'s on the database).
    public struct UserCreation: Sendable {
        public var username: String
        public var password: String?
        public var email: String?
        public var displayName: String?
    }

    public static func userCreation(_ input: ManagementInput) throws(OAuthError) -> UserCreation {
        try input.allowOnly(["username", "password", "email", "display_name"])
        return UserCreation(username: try input.string("username", required: true) ?? "", password: try input.string("password"),
                            email: try input.string("email"), displayName: try input.string("display_name"))
    }

    public func createUser(_ input: ManagementInput, caller: Caller) async throws(OAuthError) -> Answer {
        let creation = try Self.userCreation(input)
        let user = try await admin("creating the user", field: "username") {
            try await administration.createUser(username: creation.username, password: creation.password, email: creation.email,
                                                displayName: creation.displayName, hasher: passwords)
        }
        return Self.answer(201, ManagementJSON.user(user, groups: []), location: "/api/v1/users/\(user.id)", caller: caller,
                           "created user \(user.username) (\(user.id))", detail: ["user_id": user.id], changed: true)
    }

    /// What `PATCH /api/v1/users/{user}` asks to change; nil leaves a field as it is.
    public struct UserChange: Sendable {
        public var displayName: String??
        public var email: String??
        public var emailVerified: Bool?
        public var disabled: Bool?
        public var password: String?

        /// The profile fields on `user`; a new email is unverified unless the change says otherwise.
        public func apply(to user: inout User) {
            if let displayName { user.displayName = displayName }
            if let email {
                user.email = email
                if email != nil, emailVerified == nil { user.emailVerified = false }
            }
            if let emailVerified { user.emailVerified = emailVerified }
            if let disabled { user.disabled = disabled }
        }
    }

    public static func userChange(_ input: ManagementInput) throws(OAuthError) -> UserChange {
        try input.allowOnly(["display_name", "email", "email_verified", "disabled", "password"])
        var change = UserChange()
        if input.has("display_name") { change.displayName = .some(try input.string("display_name", nullable: true)) }
        if input.has("email") {
            let email = try input.string("email", nullable: true)
            if let email, !email.contains("@") {
                throw ManagementInput.problem(.apiFieldInvalid, "email", "email \(quoted(email)) is not an email address")
            }
            change.email = .some(email)
        }
        change.emailVerified = try input.bool("email_verified")
        change.disabled = try input.bool("disabled")
        change.password = try input.string("password")
        return change
    }

    public func updateUser(_ nameOrID: String, _ input: ManagementInput, ifMatch: String?, caller: Caller) async throws(OAuthError) -> Answer {
        let change = try Self.userChange(input)
        let target = try await admin("reading the user") { try await administration.requireUser(nameOrID) }.id
        let user = try await conditionally("user \(target)", ifMatch: ifMatch) { () async throws(OAuthError) -> User in
            try Self.precondition(ifMatch, current: try await representation(ofUser: nameOrID), what: "user \(nameOrID)")
            return try await admin("updating the user", field: "password") { () async throws -> User in
                if let password = change.password { _ = try await administration.setPassword(nameOrID, password: password, hasher: passwords) }
                return try await administration.updateUser(nameOrID) { change.apply(to: &$0) }
            }
        }
        if change.disabled == true { _ = try await admin("signing the user out") { try await administration.signOut(user.id) } }
        return Self.answer(200, try await representation(ofUser: user.id), caller: caller, "updated user \(user.username)",
                           detail: Self.fields(input).merging(["user_id": user.id]) { own, _ in own }, changed: true)
    }

    public func deleteUser(_ nameOrID: String, caller: Caller) async throws(OAuthError) -> Answer {
        let user = try await admin("reading the user") { try await administration.requireUser(nameOrID) }
        try await admin("deleting the user") { try await administration.deleteUser(user.id) }
        return Self.answer(204, nil, caller: caller, "deleted user \(user.username)", detail: ["user_id": user.id], changed: true)
    }

    /// `GET /api/v1/users/{user}/sessions`: the sign-in sessions still valid (their ids, never a cookie).
    public func sessions(ofUser nameOrID: String, caller: Caller) async throws(OAuthError) -> Answer {
        let (user, sessions) = try await admin("listing sessions") { () async throws -> (User, [TokenRecord]) in
            let user = try await administration.requireUser(nameOrID)
            return (user, try await administration.sessions(ofUser: user.id))
        }
        return Self.list("sessions", sessions.map { ManagementJSON.session(sid: $0.jti, userID: user.id, authTime: $0.issuedAt, expiresAt: $0.expiresAt) },
                         caller: caller, "listed \(sessions.count) sessions of user \(user.username)")
    }

    /// `POST /api/v1/users/{user}/sign-out`: signs the user out everywhere (sessions and refresh tokens).
    public func signOut(user nameOrID: String, caller: Caller) async throws(OAuthError) -> Answer {
        let (user, ended) = try await admin("signing the user out") { () async throws -> (User, (sessions: Int, families: Int)) in
            let user = try await administration.requireUser(nameOrID)
            return (user, try await administration.signOut(user.id))
        }
        return Self.answer(200, [("sessions_ended", .number(Double(ended.sessions))), ("refresh_families_revoked", .number(Double(ended.families)))],
                           etag: false, caller: caller, "signed out user \(user.username)", detail: ["user_id": user.id], changed: true)
    }

    /// `DELETE /api/v1/users/{user}/lockout`: ends the lock failed sign-ins put on the user (address locks end with their window).
    public func unlock(user nameOrID: String, caller: Caller) async throws(OAuthError) -> Answer {
        let user = try await admin("unlocking the user") { () async throws -> User in
            let user = try await administration.requireUser(nameOrID)
            try await SignInThrottle(users: stores.users).unlock(userID: user.id)
            return user
        }
        return Self.answer(204, nil, caller: caller, "unlocked user \(user.username)", detail: ["user_id": user.id], changed: false)
    }

    public func listGroups(caller: Caller) async throws(OAuthError) -> Answer {
        let groups = try await admin("listing groups") { try await stores.users.listGroups() }
        return Self.list("groups", groups.map(ManagementJSON.group), caller: caller, "listed \(groups.count) groups")
    }

    public func createGroup(_ input: ManagementInput, caller: Caller) async throws(OAuthError) -> Answer {
        try input.allowOnly(["name"])
        let name = try input.string("name", required: true) ?? ""
        try await admin("creating the group", field: "name") { try await administration.createGroup(name: name) }
        return Self.answer(201, ManagementJSON.group(UserGroup(name: name)), location: "/api/v1/groups/\(name)", caller: caller,
                           "created group \(name)", detail: ["group": name], changed: true)
    }

    public func deleteGroup(_ name: String, caller: Caller) async throws(OAuthError) -> Answer {
        try await admin("deleting the group") { try await administration.deleteGroup(name: name) }
        return Self.answer(204, nil, caller: caller, "deleted group \(name)", detail: ["group": name], changed: true)
    }

    /// `PUT` (add) or `DELETE` (remove) `/api/v1/groups/{name}/members/{user}`.
    public func setMember(group name: String, user nameOrID: String, member: Bool, caller: Caller) async throws(OAuthError) -> Answer {
        let user = try await admin("changing the group") { try await administration.setMember(group: name, user: nameOrID, member: member) }
        let group = try await admin("reading the group") { try await stores.users.listGroups().first { $0.name == name } } ?? UserGroup(name: name)
        return Self.answer(200, ManagementJSON.group(group), caller: caller, "\(member ? "added" : "removed") \(user.username) \(member ? "to" : "from") group \(name)",
                           detail: ["group": name, "user_id": user.id], changed: true)
    }

    private func representation(ofUser nameOrID: String) async throws(OAuthError) -> [(String, JSONValue)] {
        try await admin("reading the user") { () async throws -> [(String, JSONValue)] in
            let user = try await administration.requireUser(nameOrID)
            return ManagementJSON.user(user, groups: try await stores.users.groups(ofUser: user.id))
        }
    }
}
