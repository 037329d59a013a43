import Foundation
import TesseraStore

/// The admin side of signing people in: the authorization-code settings of clients and servers, users
/// and groups, and ending a user's sessions.
extension Administration {
    /// A client's settings for the authorization code flow; nil leaves a setting as it is.
    public struct ClientFlowSettings: Sendable {
        public var grantTypes: [String]?
        public var redirectURIs: [String]?
        public var postLogoutRedirectURIs: [String]?
        public var firstParty: Bool?

        public init(grantTypes: [String]? = nil, redirectURIs: [String]? = nil, postLogoutRedirectURIs: [String]? = nil, firstParty: Bool? = nil) {
            self.grantTypes = grantTypes
            self.redirectURIs = redirectURIs
            self.postLogoutRedirectURIs = postLogoutRedirectURIs
            self.firstParty = firstParty
        }

        public var isEmpty: Bool { grantTypes == nil && redirectURIs == nil && postLogoutRedirectURIs == nil && firstParty == nil }
    }

    public static let grantTypes = ["client_credentials", "authorization_code", "refresh_token"]

    /// Applies `flow` to `client` and checks the result: known grant types, registrable redirect URIs,
    /// at least one redirect URI for the code flow, no client_credentials for public clients. With no
    /// grant types given, a client with redirect URIs gets authorization_code and refresh_token, any
    /// other confidential client client_credentials.
    func apply(_ flow: ClientFlowSettings, to client: inout Client, creating: Bool) throws {
        if let uris = flow.redirectURIs { client.redirectURIs = Self.unique(uris) }
        if let uris = flow.postLogoutRedirectURIs { client.postLogoutRedirectURIs = Self.unique(uris) }
        if let firstParty = flow.firstParty { client.firstParty = firstParty }
        if let grants = flow.grantTypes {
            client.grantTypes = Self.unique(grants)
        } else if creating && !client.redirectURIs.isEmpty {
            client.grantTypes = ["authorization_code", "refresh_token"]
        } else if creating && client.authMethod == .none {
            client.grantTypes = []  // a public client without redirect URIs can do nothing until it gets some
        }
        if let unknown = client.grantTypes.first(where: { !Self.grantTypes.contains($0) }) {
            throw AdminError("grant type \(quoted(unknown)) is not one of \(Self.grantTypes.joined(separator: ", "))", field: "grant_types")
        }
        for uri in client.redirectURIs + client.postLogoutRedirectURIs where !RedirectURIMatch.isRegistrable(uri) {
            throw AdminError("redirect URI \(quoted(uri)) must be absolute without a fragment: https, http on a loopback address or localhost, or a private-use scheme like com.example.app:/callback", field: "redirect_uris")
        }
        if client.grantTypes.contains("authorization_code") && client.redirectURIs.isEmpty {
            throw AdminError("the authorization_code grant needs at least one --redirect-uri", field: "redirect_uris")
        }
        if client.authMethod == .none && client.grantTypes.contains("client_credentials") {
            throw AdminError("a public client (auth method none) cannot use client_credentials; give it a secret or key", field: "grant_types")
        }
        if client.grantTypes.contains("refresh_token") && !client.grantTypes.contains("authorization_code") {
            throw AdminError("refresh_token goes with authorization_code: refresh tokens are only issued to signed-in users", field: "grant_types")
        }
    }

    /// Changes a client's authorization code settings.
    public func updateClientFlow(clientID: String, _ flow: ClientFlowSettings) async throws -> Client {
        var client = try await requireClient(clientID)
        try apply(flow, to: &client, creating: false)
        try await stores.clients.updateClient(client)
        return client
    }

    /// Changes a server's refresh token lifetimes (seconds) and groups claim; nil leaves a setting as it is.
    public func updateServerSignIn(name: String, refreshTokenLifetime: Int?? = nil, refreshTokenIdleLifetime: Int?? = nil,
                                   groupsClaim: Bool? = nil) async throws -> AuthorizationServer {
        var change = ServerChange()
        change.refreshTokenLifetime = refreshTokenLifetime
        change.refreshTokenIdleLifetime = refreshTokenIdleLifetime
        change.groupsClaim = groupsClaim
        return try await updateServer(name: name, change)
    }

    // MARK: Users and groups

    public func createUser(username: String, password: String?, email: String?, displayName: String?, hasher: PasswordHasher) async throws -> User {
        let name = username.lowercased()
        guard User.isValidUsername(name) else {
            throw AdminError("username \(quoted(username)) must be 1-128 characters without spaces or control characters")
        }
        if let password { try Self.checkPassword(password) }
        if let email, !email.contains("@") { throw AdminError("email \(quoted(email)) is not an email address") }
        // A taken name is refused before the (deliberately slow) hash is computed.
        if try await stores.users.user(username: name) != nil { throw AdminError.conflict("a user named \(quoted(name)) exists already") }
        var hash: String?
        if let password { hash = try await hasher.hash(password) }
        let user = User(id: SecureRandom.identifier(prefix: "00u"), username: name, displayName: displayName, email: email, emailVerified: false,
                        passwordHash: hash, createdAt: clock.now)
        do {
            try await stores.users.createUser(user)
        } catch StoreError.alreadyExists {
            throw AdminError.conflict("a user named \(quoted(name)) exists already")
        }
        return user
    }

    /// A user by username or id.
    public func requireUser(_ nameOrID: String) async throws -> User {
        if let user = try await stores.users.user(username: nameOrID.lowercased()) { return user }
        if let user = try await stores.users.user(id: nameOrID) { return user }
        throw AdminError.notFound("no user named \(quoted(nameOrID)); `tessera users list` shows them")
    }

    public func updateUser(_ nameOrID: String, change: (inout User) throws -> Void) async throws -> User {
        var user = try await requireUser(nameOrID)
        try change(&user)
        user.updatedAt = clock.now
        try await stores.users.updateUser(user)
        return user
    }

    public func setPassword(_ nameOrID: String, password: String, hasher: PasswordHasher) async throws -> User {
        try Self.checkPassword(password)
        let hash = try await hasher.hash(password)
        return try await updateUser(nameOrID) { $0.passwordHash = hash }
    }

    /// Deletes a user after ending its sessions and refresh tokens.
    public func deleteUser(_ nameOrID: String) async throws {
        let user = try await requireUser(nameOrID)
        _ = try await signOut(user.id)
        try await stores.users.deleteUser(id: user.id)
    }

    /// The user's sessions that are still valid, newest first.
    public func sessions(ofUser userID: String) async throws -> [TokenRecord] {
        try await stores.tokens.tokens(subject: userID, kind: .session).filter { !$0.revoked && $0.expiresAt > clock.now }
    }

    /// Ends every session of the user and revokes every refresh token family it has (with their access
    /// tokens). Returns how many sessions and families ended.
    public func signOut(_ userID: String) async throws -> (sessions: Int, families: Int) {
        var sessions = 0
        for session in try await stores.tokens.tokens(subject: userID, kind: .session) where !session.revoked {
            _ = try await stores.tokens.revokeToken(hash: session.hash, now: clock.now)
            sessions += 1
        }
        var families = Set<Data>()
        for token in try await stores.tokens.tokens(subject: userID, kind: .refreshToken) where !token.revoked {
            families.insert(token.parentHash ?? token.hash)
        }
        for family in families { _ = try await stores.tokens.revokeToken(hash: family, now: clock.now) }
        return (sessions, families.count)
    }

    static func checkPassword(_ password: String) throws {
        guard password.count >= 8, password.utf8.count <= 1024 else {
            throw AdminError("a password must have at least 8 characters (and at most 1024 bytes)")
        }
    }

    static func unique(_ values: [String]) -> [String] {
        values.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    }
}
