/// Opaque tokens: 256 random bits with a recognisable prefix, so a leaked one is easy to spot in
/// logs and code (secret scanners match the prefix) and introspection can tell them from JWTs at once.
public enum OpaqueToken {
    public static let accessPrefix = "tes_at_"
    public static let refreshPrefix = "tes_rt_"

    public static func newAccessToken() -> String { accessPrefix + SecureRandom.token(byteCount: 32) }
    public static func newRefreshToken() -> String { refreshPrefix + SecureRandom.token(byteCount: 32) }

    /// Whether `token` has the shape of a Tessera opaque token.
    public static func looksOpaque(_ token: String) -> Bool {
        token.hasPrefix(accessPrefix) || token.hasPrefix(refreshPrefix)
    }
}
