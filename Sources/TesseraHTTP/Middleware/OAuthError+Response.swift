import HTTPTypes
import Hummingbird
import NIOCore
import TesseraCore
import TesseraStore

extension OAuthError: HTTPResponseError {
    public var status: HTTPResponse.Status { HTTPResponse.Status(code: httpStatus) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let requestID = (context as? TesseraRequestContext)?.requestID ?? ""
        return response(requestID: requestID, authorizationHeaderUsed: request.headers.contains(.authorization))
    }

    /// The RFC 6749 §5.2 error response: JSON body with `error`, `error_description` and `request_id`,
    /// `Cache-Control: no-store`, and `WWW-Authenticate` when the client tried the Authorization header.
    func response(requestID: String, authorizationHeaderUsed: Bool) -> Response {
        var body: [(String, JSONValue)] = [("error", .string(code.rawValue)), ("error_description", .string(description))]
        body.append(("request_id", .string(requestID)))
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store", .pragma: "no-cache"]
        if code == .invalidClient && authorizationHeaderUsed {
            headers[.wwwAuthenticate] = "Basic realm=\"tessera\", error=\"invalid_client\""
        }
        if code == .invalidToken || code == .insufficientScope {
            let text = description.replacingOccurrences(of: "\"", with: "'")
            let scope = detail["scope"].map { ", scope=\"\($0)\"" } ?? ""
            headers[.wwwAuthenticate] = "Bearer realm=\"tessera\", error=\"\(code.rawValue)\", error_description=\"\(text)\"\(scope)"
        }
        if reason == .requestMethodNotAllowed, let allow = detail["allow"] {
            headers[.allow] = allow
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.object(body))))
    }
}
