import Foundation

/// A signing key of an authorization server. The private part is encrypted at rest under the master key.
///
/// A key's state follows from its times (`KeyState`): published in the JWKS from creation, signing from
/// `activatesAt` (a rotation announces the new key first, so caches hold it before tokens name it), and
/// gone from `retiresAt` (set when a newer key took over, once every token the key signed has expired)
/// or when retired by hand (`active` false).
public struct SigningKey: Sendable, Hashable, Codable {
    public var server: String
    public var kid: String
    /// JWS algorithm, e.g. `ES256`.
    public var algorithm: String
    /// AES-GCM sealed box of the private key's raw representation.
    public var encryptedPrivateKey: Data
    /// The public JWK as JSON text (only public members).
    public var publicJWK: String
    /// False once retired by hand: the key leaves the JWKS at once.
    public var active: Bool
    public var createdAt: Date
    /// When the key starts to sign (the newest activated key signs).
    public var activatesAt: Date
    /// When the key leaves the JWKS on its own; nil while it is current or next.
    public var retiresAt: Date?

    public init(server: String, kid: String, algorithm: String, encryptedPrivateKey: Data, publicJWK: String, active: Bool = true, createdAt: Date,
                activatesAt: Date? = nil, retiresAt: Date? = nil) {
        self.server = server
        self.kid = kid
        self.algorithm = algorithm
        self.encryptedPrivateKey = encryptedPrivateKey
        self.publicJWK = publicJWK
        self.active = active
        self.createdAt = createdAt
        self.activatesAt = activatesAt ?? createdAt
        self.retiresAt = retiresAt
    }

    /// Whether the key is in the JWKS at `now` (next, current or previous).
    public func isPublished(at now: Date) -> Bool {
        active && (retiresAt.map { now < $0 } ?? true)
    }
}
