/// Why a `jwks_uri` could not be read, in words for the error description.
public struct JWKSFetchError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
