import HTTPTypes
import Hummingbird
import NIOCore
import TesseraCore
import TesseraJSON
import TesseraWire

extension OAuthError {
    /// The management API's error: an RFC 9457 problem document (`application/problem+json`) with the
    /// same reason code and request id the OAuth endpoints send, the field at fault, and for Bearer
    /// errors the RFC 6750 `error` and the missing `scope` (also in `WWW-Authenticate`).
    func problemResponse(requestID: String, path: String) -> Response {
        var members: [(String, JSONValue)] = [
            ("type", .string("urn:tessera:problem:\(reason.rawValue)")),
            ("title", .string(Self.title(httpStatus))),
            ("status", .number(Double(httpStatus))),
            ("detail", .string(description)),
            ("instance", .string(path)),
            ("reason", .string(reason.rawValue)),
            ("request_id", .string(requestID)),
        ]
        if let field = detail["field"] { members.append(("field", .string(field))) }
        // RFC 6750 §3.1: a request without a token gets a challenge without an error code.
        let tokenMissing = reason == .apiTokenMissing
        if !tokenMissing, code == .invalidToken || code == .insufficientScope { members.append(("error", .string(code.rawValue))) }
        if let scope = detail["scope"], code == .insufficientScope { members.append(("scope", .string(scope))) }
        var headers = responseHeaders
        headers[.contentType] = "application/problem+json"
        headers[.pragma] = nil
        if tokenMissing { headers[.wwwAuthenticate] = "Bearer realm=\"tessera\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.object(members))))
    }

    static func title(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 409: return "Conflict"
        case 412: return "Precondition Failed"
        case 413: return "Content Too Large"
        case 415: return "Unsupported Media Type"
        case 429: return "Too Many Requests"
        case 503: return "Service Unavailable"
        default: return HTTPResponse.Status(code: status).reasonPhrase
        }
    }
}
