import TesseraCore

/// Settings of a running node that the routes and the core need.
public struct TesseraSettings: Sendable {
    /// The base of every issuer URL (`--public-url`).
    public var publicURL: String
    public var assertionPolicy: AssertionPolicy
    /// `max-age` of the JWKS response.
    public var jwksMaxAge: Int

    public init(publicURL: String, assertionPolicy: AssertionPolicy = AssertionPolicy(), jwksMaxAge: Int = 300) {
        self.publicURL = publicURL
        self.assertionPolicy = assertionPolicy
        self.jwksMaxAge = jwksMaxAge
    }
}
