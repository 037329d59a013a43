/// Fetches a client's `jwks_uri`. The HTTP layer implements it (with a timeout and a size cap);
/// the core only sees bytes or an error sentence.
public protocol JWKSFetcher: Sendable {
    /// The body of `url`, or throws `JWKSFetchError` saying what went wrong.
    func fetchJWKS(from url: String) async throws -> [UInt8]
}
