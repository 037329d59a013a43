import Foundation

/// A person who signs in on Tessera's pages. Users belong to the deployment, not to one authorization
/// server: the same user may sign in to the apps of any server.
public struct User: Sendable, Hashable, Codable {
    /// `00u…`: stable, never reused; the `sub` of the user's tokens.
    public var id: String
    /// What the user types on the sign-in page; unique in the deployment, compared case-insensitively
    /// (stored lowercased).
    public var username: String
    public var displayName: String?
    public var email: String?
    public var emailVerified: Bool
    /// The password hash with its parameters (`PasswordHash` in the core); nil: no password set, the
    /// user cannot sign in.
    public var passwordHash: String?
    public var disabled: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, username: String, displayName: String? = nil, email: String? = nil, emailVerified: Bool = false,
                passwordHash: String? = nil, disabled: Bool = false, createdAt: Date, updatedAt: Date? = nil) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.email = email
        self.emailVerified = emailVerified
        self.passwordHash = passwordHash
        self.disabled = disabled
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }

    /// Usernames: 1–128 characters without spaces or control characters (an email address fits).
    public static func isValidUsername(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 128 && name.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F }
    }
}

/// A named set of users; a server with `groupsClaim` puts the names of a user's groups into its tokens.
public struct UserGroup: Sendable, Hashable, Codable {
    public var name: String
    /// Member user ids.
    public var members: [String]

    public init(name: String, members: [String] = []) {
        self.name = name
        self.members = members
    }
}
