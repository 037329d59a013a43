import HTTPTypes
import Hummingbird
import NIOCore
import TesseraJSON
import TesseraWire

/// Protects routes: reads `Authorization: Bearer` (scheme case-insensitive), validates the token in
/// the given mode, requires the scopes, and puts the verified token in the context. Failures answer
/// per RFC 6750 §3: 401 with `WWW-Authenticate: Bearer error="invalid_token", error_description="…"`,
/// or 403 `insufficient_scope` naming the scope needed.
public struct BearerTokenMiddleware<Context: TokenRequestContext>: RouterMiddleware {
    let validator: TokenValidator
    let mode: ValidationMode
    let requiredScopes: [String]

    /// - Parameters:
    ///   - validator: shared by every route of the API (its caches are what make a repeated token cheap).
    ///   - mode: local JWT validation, introspection, or both (see `ValidationMode`).
    ///   - requiredScopes: every one of them must be granted, else 403 `insufficient_scope`.
    public init(validator: TokenValidator, mode: ValidationMode = .local, requiredScopes: [String] = []) {
        self.validator = validator
        self.mode = mode
        self.requiredScopes = requiredScopes
    }

    /// Validates the bearer token and runs the route with it in the context, or answers 401/403 (RFC 6750 §3).
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = AuthorizationHeader.bearerToken(request.headers[.authorization]), !token.isEmpty else {
            return Self.challenge(TokenValidationError(.invalidRequest, "the request carries no Authorization: Bearer token"), realm: validator.configuration.audience)
        }
        do {
            var context = context
            context.token = try await validator.validate(token, mode: mode, requiredScopes: requiredScopes)
            return try await next(request, context)
        } catch let error as TokenValidationError {
            return Self.challenge(error, realm: validator.configuration.audience)
        }
    }

    static func challenge(_ error: TokenValidationError, realm: String) -> Response {
        let status: HTTPResponse.Status
        switch error.kind {
        case .insufficientScope: status = .forbidden
        case .unavailable: status = .serviceUnavailable
        case .invalidToken, .invalidRequest: status = .unauthorized
        }
        // RFC 6750 §3.1: a request without a token gets a challenge without an error code.
        let described = error.kind != .invalidRequest
        let challenge = BearerChallenge(realm: realm, error: described ? error.kind.rawValue : nil,
                                        errorDescription: described ? error.description : nil,
                                        scope: error.kind == .insufficientScope ? error.requiredScopes.joined(separator: " ") : nil)
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        if error.kind != .unavailable { headers[.wwwAuthenticate] = challenge.headerValue }
        let body = JSONWriter.object([("error", .string(error.kind.rawValue)), ("error_description", .string(error.description))])
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
