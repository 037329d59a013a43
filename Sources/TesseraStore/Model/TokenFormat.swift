/// The representation of access tokens issued by a server.
public enum TokenFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// RFC 9068 JWT access tokens, verifiable with the server's JWKS.
    case jwt
    /// 256-bit random tokens stored hashed; resource servers must introspect them.
    case opaque
}
