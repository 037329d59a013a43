import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import TesseraCore
import TesseraStore

/// Sits right after the HTTP/1 decoder of every connection. Two jobs:
///
/// - A request whose framing the decoder refuses (two or invalid `Content-Length`, `Content-Length`
///   with `Transfer-Encoding`, NUL or obs-fold in a header, too many or too large headers) gets the
///   same JSON error body as every other rejection, with a request id — 431 for oversized headers,
///   400 otherwise — instead of Hummingbird's empty 400; then the connection closes, since the
///   byte stream cannot be trusted past that point.
/// - A request must arrive whole within `ConnectionTimeouts.request` of its head; a body trickling in
///   byte by byte is cut off (Hummingbird's idle timeout alone is reset by every body part).
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let requestTimeout: TimeAmount
    private let onRejection: @Sendable (FramingRejection) -> Void
    /// Requests whose head was read and whose response has not ended.
    private var unanswered = 0
    /// Whether a request's head was read and its end not yet.
    private var readingRequest = false
    private var requestDeadline: Scheduled<Void>?

    init(timeouts: ConnectionTimeouts, onRejection: @escaping @Sendable (FramingRejection) -> Void) {
        requestTimeout = TimeAmount(timeouts.request)
        self.onRejection = onRejection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            readingRequest = true
        case .end:
            readingRequest = false
            requestDeadline?.cancel()
            requestDeadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    /// The deadline is armed only when a read ends with a request still incomplete: a request that
    /// arrives whole in one read (nearly all of them) costs no timer.
    func channelReadComplete(context: ChannelHandlerContext) {
        if readingRequest, requestDeadline == nil {
            requestDeadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: requestTimeout) {
                context.close(promise: nil)
            }
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { unanswered -= 1 }
        context.write(data, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        requestDeadline?.cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        requestDeadline?.cancel()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Mid-request (a response is owed or being written) the error goes on to Hummingbird, which
        // closes the connection; between requests nothing else will answer, so this handler does.
        guard let parserError = error as? HTTPParserError, unanswered == 0 else {
            context.fireErrorCaught(error)
            return
        }
        let rejection = FramingRejection(requestID: TimeOrderedID.next(), error: Self.oauthError(for: parserError),
                                         remoteAddress: context.channel.remoteAddress?.addressText)
        onRejection(rejection)
        let body = rejection.error.jsonBody(requestID: rejection.requestID)
        var headers = rejection.error.responseHeaders
        headers[.connection] = "close"
        headers[.contentLength] = String(body.count)
        headers[.requestID] = rejection.requestID
        let head = HTTPResponse(status: .init(code: rejection.error.httpStatus), headerFields: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }

    /// The sentence for each way the decoder refuses a request.
    static func oauthError(for error: HTTPParserError) -> OAuthError {
        let what: String
        var status = 400
        switch error {
        case .headerOverflow:
            status = 431
            what = "its header section is too large (more than \(TesseraApplication.headerLimits.bytes / 1024) KiB, or more than \(TesseraApplication.headerLimits.fields) header fields)"
        case .invalidContentLength:
            what = "its Content-Length is not a number, or is given twice"
        case .unexpectedContentLength:
            what = "it has both Content-Length and Transfer-Encoding, or a Content-Length where none is allowed"
        case .invalidHeaderToken:
            what = "a header name or value holds a character HTTP forbids (NUL, a bare CR or LF, a folded continuation line)"
        case .invalidChunkSize:
            what = "a chunk of its chunked body has an invalid size"
        case .invalidMethod:
            what = "its method is not an HTTP method"
        case .invalidURL, .invalidPath, .invalidQueryString, .invalidFragment, .invalidHost, .invalidPort:
            what = "its request target is not a valid URL"
        case .invalidVersion:
            what = "it does not say HTTP/1.0 or HTTP/1.1"
        case .lfExpected, .invalidConstant, .strictModeAssertion, .invalidCharactersUsed:
            what = "its request line or headers are not formatted as HTTP/1.1 requires (RFC 9112)"
        default:
            // llhttp reports Content-Length beside Transfer-Encoding, among others, only as `unknown`.
            what = "its framing is ambiguous or invalid (Content-Length together with Transfer-Encoding, or another violation of RFC 9112 §6)"
        }
        return OAuthError(.invalidRequest, .requestMalformedHTTP,
                          "the request is not valid HTTP: \(what); send one well-formed HTTP/1.1 request (RFC 9112)",
                          detail: ["parser_error": String(describing: error)], status: status)
    }
}
