import Hummingbird
import NIOCore
import TesseraCore
import TesseraStore

/// The request context of every Tessera route: Hummingbird's core storage plus the request id
/// that every response and log line carries, and the caller's address for the event log.
public struct TesseraRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Unique id echoed in `X-Request-Id` and in error bodies, so a caller can quote it to an operator;
    /// it starts with the time (hex milliseconds), so ids sort in arrival order (cheap to index).
    public let requestID: String
    public let remoteAddress: String?
    /// Filled by the route, turned into an event by `RequestOutcomeMiddleware`.
    public let event = EventNote()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        requestID = TimeOrderedID.next()
        remoteAddress = source.channel.remoteAddress?.addressText
    }

    /// Token requests are tiny; anything over 64 KiB is refused before parsing.
    public var maxUploadSize: Int { 65_536 }
}

extension SocketAddress {
    /// The IP address as text, for the event log. IPv4 is written here, digit by digit: NIO's `ipAddress`
    /// goes through `inet_ntop`, which formats with `sprintf`, for every request. IPv6 keeps NIO's form.
    var addressText: String? {
        guard case .v4(let address) = self else { return ipAddress }
        let value = UInt32(bigEndian: address.address.sin_addr.s_addr)
        var text = ""
        for shift in [24, 16, 8, 0] {
            if shift != 24 { text.append(".") }
            text.append(String((value >> UInt32(shift)) & 0xFF))
        }
        return text
    }
}
