import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import TesseraCore
import TesseraStore

/// Wraps every route: turns any error into a JSON error response (never a bare 500 or a dropped
/// connection), stamps `X-Request-Id` on every response, counts the request in the metrics, queues
/// the request's event (for OAuth endpoints) and writes one structured log line.
public struct RequestOutcomeMiddleware: RouterMiddleware {
    public typealias Context = TesseraRequestContext
    let runtime: TesseraRuntime
    let logger: Logger

    public init(runtime: TesseraRuntime, logger: Logger) {
        self.runtime = runtime
        self.logger = logger
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        var failure: OAuthError?
        do {
            response = try await next(request, context)
        } catch {
            let oauth = Self.oauthError(from: error, request: request)
            failure = oauth
            response = request.uri.path.hasPrefix("/api/")
                ? oauth.problemResponse(requestID: context.requestID, path: request.uri.path)
                : oauth.response(requestID: context.requestID, authorizationHeaderUsed: request.headers.contains(.authorization))
        }
        response.headers.add(.requestID, context.requestID)
        let elapsed = ContinuousClock.now - started
        let draft = context.event.current
        if failure == nil { failure = draft.rejection }
        runtime.metrics.request(endpoint: draft.endpoint ?? Self.endpointName(request.uri.path), outcome: failure == nil ? "success" : "failure", duration: elapsed)
        if let failure, failure.reason.rawValue.hasPrefix("client_auth.") {
            runtime.metrics.clientAuthFailure(reason: failure.reason.rawValue)
        }
        if let failure, failure.httpStatus == 429 {
            runtime.metrics.rateLimited(limit: failure.reason.rawValue, endpoint: draft.endpoint ?? "other")
        }
        if let endpoint = draft.endpoint, runtime.settings.eventLog.keeps(success: failure == nil) {
            runtime.events.record(Event(
                time: runtime.clock.now, requestID: context.requestID, server: draft.server, endpoint: endpoint,
                clientID: failure?.clientID ?? draft.clientID, outcome: failure == nil ? .success : .failure,
                reason: failure?.reason.rawValue ?? draft.reason, message: failure?.description ?? draft.message ?? "\(request.method.rawValue) \(request.uri.path)",
                detail: failure.map { $0.detail.merging(draft.detail) { own, _ in own } } ?? draft.detail,
                remoteAddress: draft.address ?? context.remoteAddress, userAgent: request.headers.value(.userAgent)))
        }
        log(request, context: context, status: response.status.code, failure: failure, draft: draft, elapsed: elapsed)
        return response
    }

    private func log(_ request: Request, context: Context, status: Int, failure: OAuthError?, draft: EventNote.Draft, elapsed: Duration) {
        // Building the metadata costs more than the request itself on fast paths: only when it will be written.
        guard logger.logLevel <= (failure == nil ? .info : .notice) else { return }
        var metadata: Logger.Metadata = [
            "request_id": .string(context.requestID), "method": .string(request.method.rawValue),
            "path": .string(request.uri.path), "status": .stringConvertible(status),
            "duration_us": .stringConvertible(TesseraMetrics.nanoseconds(elapsed) / 1000),
        ]
        if let client = failure?.clientID ?? draft.clientID { metadata["client_id"] = .string(client) }
        guard let failure else {
            if let reason = draft.reason { metadata["reason"] = .string(reason) }
            logger.info("request", metadata: metadata)
            return
        }
        metadata["error"] = .string(failure.code.rawValue)
        metadata["reason"] = .string(failure.reason.rawValue)
        metadata["description"] = .string(failure.description)
        for (key, value) in failure.detail { metadata["detail.\(key)"] = .string(value) }
        if let address = context.remoteAddress { metadata["remote"] = .string(address) }
        logger.notice("request rejected", metadata: metadata)
    }

    /// A metrics label for requests that are not to an OAuth endpoint.
    static func endpointName(_ path: String) -> String {
        switch path {
        case "/healthz": return "healthz"
        case "/readyz": return "readyz"
        case "/metrics": return "metrics"
        case _ where path.hasPrefix("/api/"): return "management"
        default: return path.contains("/.well-known/") ? "discovery" : "other"
        }
    }

    /// Maps Hummingbird's own errors (no route, body too large) and anything unexpected to `OAuthError`.
    static func oauthError(from error: any Error, request: Request) -> OAuthError {
        if let oauth = error as? OAuthError { return oauth }
        if let http = error as? HTTPError {
            switch http.status {
            case .notFound:
                return OAuthError(.notFound, .requestNotFound, "no endpoint at \(request.uri.path); the discovery document lists the endpoints")
            case .contentTooLarge:
                return OAuthError(.invalidRequest, .requestBodyTooLarge, "the request body is larger than 64 KiB", status: 413)
            case .methodNotAllowed:
                return OAuthError(.invalidRequest, .requestMethodNotAllowed, "\(request.method.rawValue) is not allowed on \(request.uri.path)", status: 405)
            default:
                return OAuthError(.invalidRequest, .requestMalformedBody, http.body ?? "the request could not be read", status: Int(http.status.code))
            }
        }
        return OAuthError(.serverError, .internalError, "the server failed unexpectedly while handling this request; quote the request id when reporting it",
                          detail: ["error": String(describing: error)])
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`, on every response. The literal is a valid field name, so the unwrap cannot fail.
    static let requestID = HTTPField.Name("X-Request-Id")!
    /// `Pragma`, sent with `no-cache` beside `Cache-Control: no-store` for HTTP/1.0 caches (RFC 6749 §5.1).
    static let pragma = HTTPField.Name("Pragma")!
}
