import Hummingbird

/// A request context that can carry the verified token to the route.
public protocol TokenRequestContext: RequestContext {
    /// Set by `BearerTokenMiddleware` before the route runs; nil on routes it does not protect.
    var token: VerifiedToken? { get set }
}
