import HTTPTypes
import Hummingbird
import NIOCore
import TesseraCore
import TesseraStore
import TesseraJSON
import TesseraWire

extension OAuthError: HTTPResponseError {
    public var status: HTTPResponse.Status { HTTPResponse.Status(code: httpStatus) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let requestID = (context as? TesseraRequestContext)?.requestID ?? ""
        return response(requestID: requestID, authorizationHeaderUsed: request.headers.contains(.authorization))
    }

    /// The RFC 6749 §5.2 error response: JSON body with `error`, `error_description` and `request_id`,
    /// `Cache-Control: no-store`, and `WWW-Authenticate` when the client tried the Authorization header.
    ///
    /// `invalid_client` is 401 with a `Basic` challenge only when the request used the Authorization
    /// header; a client that authenticated in the body (client_secret_post, an assertion, nothing) gets
    /// RFC 6749 §5.2's default 400, since a 401 must carry a challenge (RFC 9110 §15.5.2) and no HTTP
    /// authentication scheme would help it.
    func response(requestID: String, authorizationHeaderUsed: Bool) -> Response {
        let status = code == .invalidClient && !authorizationHeaderUsed && httpStatus == 401 ? .badRequest : self.status
        var headers = responseHeaders
        if code == .invalidClient && authorizationHeaderUsed {
            headers[.wwwAuthenticate] = "Basic realm=\"tessera\", error=\"invalid_client\""
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: jsonBody(requestID: requestID))))
    }

    /// The error body: `error`, `error_description` and `request_id`.
    func jsonBody(requestID: String) -> [UInt8] {
        JSONWriter.object([("error", .string(code.rawValue)), ("error_description", .string(description)), ("request_id", .string(requestID))])
    }

    /// The headers every error response has (content type, no caching), with the Bearer challenge for
    /// token errors and `Allow` for a wrong method.
    var responseHeaders: HTTPFields {
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store", .pragma: "no-cache"]
        if code == .invalidToken || code == .insufficientScope {
            headers[.wwwAuthenticate] = BearerChallenge(realm: "tessera", error: code.rawValue, errorDescription: description,
                                                        scope: detail["scope"]).headerValue
        }
        if reason == .requestMethodNotAllowed, let allow = detail["allow"] {
            headers[.allow] = allow
        }
        if httpStatus == 429, let seconds = detail["retry_after"] {
            headers[.retryAfter] = seconds
        }
        return headers
    }
}
