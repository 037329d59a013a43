/// How a route checks tokens.
public enum ValidationMode: Sendable, Equatable {
    /// JWT access tokens verified with the issuer's keys; revocation is seen only when the token expires.
    case local
    /// Every token is introspected (cached briefly): revocation takes effect at once; opaque tokens work.
    case introspect
    /// JWTs are verified locally first (cheap rejection of forgeries), then introspected; opaque tokens are introspected.
    case localThenIntrospect
}
