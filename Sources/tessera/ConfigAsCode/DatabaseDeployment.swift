import TesseraCore
import TesseraJSON
import TesseraStore

/// `DeploymentAccess` on the database: the API's bodies read by the API's own readers, then the same
/// `Administration` operations the API runs.
struct DatabaseDeployment: DeploymentAccess {
    let administration: Administration
    /// Hashes the password of a user the file creates (`serve --password-cost`'s parameters).
    let passwords: PasswordHasher
    let target: String
    var protectedClients: Set<String> { [] }

    func state(users: Bool) async throws -> DeploymentState { try await DeploymentState.read(from: administration.stores, users: users) }

    func perform(_ step: DeploymentPlan.Step) async throws -> StepOutcome {
        switch step {
        case .createServer(let name, let body, let then):
            let creation = try Self.reading { () throws(OAuthError) in try ManagementAPI.serverCreation(ManagementInput(members: body)) }
            try await administration.createServer(name: name, audiences: creation.audiences, accessTokenTTL: creation.accessTokenTTL,
                                                  claims: creation.claims, tokenFormat: creation.tokenFormat)
            if !then.isEmpty { try await updateServer(name, then) }
        case .updateServer(let name, let changes):
            try await updateServer(name, changes)
        case .deleteServer(let name):
            try await administration.deleteServer(name: name)
        case .createScope(let server, let name, let description):
            _ = try await administration.createScope(server: server, name: name, description: description?.string)
        case .updateScope(let server, let name, let description):
            try await administration.updateScope(server: server, name: name, description: description.string)
        case .deleteScope(let server, let name):
            try await administration.deleteScope(server: server, name: name)
        case .createClient(let server, _, let body, let then, _):
            let creation = try Self.reading { () throws(OAuthError) in try ManagementAPI.clientCreation(ManagementInput(members: body)) }
            let created = try await administration.createClient(server: server, creation)
            if !then.isEmpty { try await updateClient(created.client.id, then) }
            return StepOutcome(done: "created client \(created.client.id) (\(created.client.name)) on \(server) (\(created.client.authMethod.rawValue))",
                               clientID: created.client.id, secret: created.secret)
        case .updateClient(_, let id, _, let changes):
            try await updateClient(id, changes)
        case .replaceJWKS(_, let id, _, let jwks):
            guard case .object(let object) = jwks else { throw CommandFailure(message: "jwks of client \(id) must be a JSON object", status: 2) }
            _ = try await administration.replaceJWKS(clientID: id, jwks: JSONValue.encodeObject(object))
        case .deleteClient(_, let id, _):
            try await administration.deleteClient(id: id)
        case .createUser(let username, let body, let then):
            let creation = try Self.reading { () throws(OAuthError) in try ManagementAPI.userCreation(ManagementInput(members: body)) }
            _ = try await administration.createUser(username: creation.username, password: creation.password, email: creation.email,
                                                    displayName: creation.displayName, hasher: passwords)
            if !then.isEmpty { try await updateUser(username, then) }
        case .updateUser(let username, let changes):
            try await updateUser(username, changes)
        case .deleteUser(let username):
            try await administration.deleteUser(username)
        case .createGroup(let name):
            try await administration.createGroup(name: name)
        case .deleteGroup(let name):
            try await administration.deleteGroup(name: name)
        case .addMember(let group, let username), .removeMember(let group, let username):
            let adding = if case .addMember = step { true } else { false }
            _ = try await administration.setMember(group: group, user: username, member: adding)
        }
        return StepOutcome(done: step.done)
    }

    private func updateServer(_ name: String, _ members: [String: JSONValue]) async throws {
        let change = try Self.reading { () throws(OAuthError) in try ManagementAPI.serverChange(ManagementInput(members: members)) }
        try await administration.updateServer(name: name, change)
    }

    /// As the API's PATCH: the profile fields, and a user disabled is signed out everywhere.
    private func updateUser(_ username: String, _ members: [String: JSONValue]) async throws {
        let change = try Self.reading { () throws(OAuthError) in try ManagementAPI.userChange(ManagementInput(members: members)) }
        let user = try await administration.updateUser(username) { change.apply(to: &$0) }
        if change.disabled == true { _ = try await administration.signOut(user.id) }
    }

    private func updateClient(_ id: String, _ members: [String: JSONValue]) async throws {
        let change = try Self.reading { () throws(OAuthError) in try ManagementAPI.clientChange(ManagementInput(members: members)) }
        try await administration.updateClient(id: id, change)
    }

    /// Reads an API body with the API's reader; a refusal is the CLI's one line (exit 2).
    private static func reading<T>(_ body: () throws(OAuthError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw CommandFailure(message: error.description, status: 2)
        }
    }
}
