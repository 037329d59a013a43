import HTTPTypes
import Hummingbird
import TesseraCore

/// Answers 405 with `Allow` for the methods an endpoint does not take, instead of a bare 404, and
/// `OPTIONS` with 204 and `Allow` (RFC 9110 §9.3.7, §15.5.6).
enum MethodGuard {
    static let all: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete, .patch, .trace, query]
    /// The safe QUERY method of draft-ietf-httpbis-safe-method-w-body; the literal is a valid method token.
    static let query = HTTPRequest.Method("QUERY")!

    /// `begin`, when given, runs first for every answer (an OAuth endpoint's event starts there).
    static func only(_ allowed: HTTPRequest.Method..., path: RouterPath, on router: Router<TesseraRequestContext>,
                     begin: @escaping @Sendable (TesseraRequestContext) -> Void = { _ in }) {
        only(allowed, path: path, on: router, begin: begin)
    }

    static func only(_ allowed: [HTTPRequest.Method], path: RouterPath, on router: Router<TesseraRequestContext>,
                     begin: @escaping @Sendable (TesseraRequestContext) -> Void = { _ in }) {
        let allowList = (allowed + [.options]).map(\.rawValue).joined(separator: ", ")
        router.on(path, method: .options) { _, context -> Response in
            begin(context)
            context.event.note(message: "OPTIONS: allowed methods \(allowList)")
            return Response(status: .noContent, headers: [.allow: allowList])
        }
        for method in all where !allowed.contains(method) {
            router.on(path, method: method) { request, context -> Response in
                begin(context)
                throw OAuthError(.invalidRequest, .requestMethodNotAllowed,
                                 "\(request.method.rawValue) is not allowed on \(request.uri.path); use \(allowList)",
                                 detail: ["allow": allowList], status: 405)
            }
        }
    }
}
