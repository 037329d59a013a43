import TesseraStore

/// Groups of users (for the `groups` claim), with the sentences the CLI and the management API refuse with.
extension Administration {
    public func createGroup(name: String) async throws {
        guard User.isValidUsername(name) else {
            throw AdminError("group name \(quoted(name)) must be 1-128 characters without spaces or control characters", field: "name")
        }
        do {
            try await stores.users.createGroup(name: name)
        } catch StoreError.alreadyExists {
            throw AdminError.conflict("a group named \(quoted(name)) exists already")
        }
    }

    public func deleteGroup(name: String) async throws {
        do {
            try await stores.users.deleteGroup(name: name)
        } catch StoreError.notFound {
            throw AdminError.notFound("no group named \(quoted(name))")
        }
    }

    /// Adds (`member: true`) or removes the user, named by username or id; returns the user.
    @discardableResult
    public func setMember(group: String, user nameOrID: String, member: Bool) async throws -> User {
        let user = try await requireUser(nameOrID)
        do {
            if member {
                try await stores.users.addMember(group: group, userID: user.id)
            } else {
                try await stores.users.removeMember(group: group, userID: user.id)
            }
        } catch StoreError.notFound {
            throw AdminError.notFound(member ? "no group named \(quoted(group)); `tessera groups create \(group)` creates it"
                                             : "user \(user.username) is not a member of group \(quoted(group))")
        }
        return user
    }
}
