import Foundation

/// A signing key of an authorization server. The private part is encrypted at rest under the master key.
public struct SigningKey: Sendable, Hashable, Codable {
    public var server: String
    public var kid: String
    /// JWS algorithm, e.g. `ES256`.
    public var algorithm: String
    /// AES-GCM sealed box of the private key's raw representation.
    public var encryptedPrivateKey: Data
    /// The public JWK as JSON text (only public members).
    public var publicJWK: String
    /// The newest active key signs; older active keys stay in the JWKS for verification.
    public var active: Bool
    public var createdAt: Date

    public init(server: String, kid: String, algorithm: String, encryptedPrivateKey: Data, publicJWK: String, active: Bool = true, createdAt: Date) {
        self.server = server
        self.kid = kid
        self.algorithm = algorithm
        self.encryptedPrivateKey = encryptedPrivateKey
        self.publicJWK = publicJWK
        self.active = active
        self.createdAt = createdAt
    }
}
