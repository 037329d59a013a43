import Hummingbird

/// A ready-made context for APIs that need nothing else.
public struct BasicTokenRequestContext: TokenRequestContext {
    /// Hummingbird's own per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The verified token, once `BearerTokenMiddleware` has accepted the request.
    public var token: VerifiedToken?

    /// Made by Hummingbird for each request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
