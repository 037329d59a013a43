/// One entry of the change feed: what a committed change touched, so each node drops only that from
/// its caches instead of everything. Written by the database itself (triggers on the configuration
/// tables, on token revocation and on the deny list), so every writer — a node, the admin CLI, a
/// migration — records its changes the same way.
public struct ConfigChange: Sendable, Hashable {
    /// What kind of cached thing changed.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A server's settings (`key`: its name).
        case server
        /// The scopes of a server (`key`: the server's name).
        case scopes
        /// One client (`key`: its id).
        case client
        /// The signing keys of a server (`key`: the server's name).
        case keys
        /// A token revoked or a JWT denied (`key`: the client id or the `jti`): verified tokens cached
        /// anywhere must be checked again.
        case revocation
    }

    /// Increasing by one per entry, in commit order.
    public var version: Int64
    public var kind: Kind
    public var key: String

    public init(version: Int64, kind: Kind, key: String) {
        self.version = version
        self.kind = kind
        self.key = key
    }
}
