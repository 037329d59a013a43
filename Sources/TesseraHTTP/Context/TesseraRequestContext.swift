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
    /// The IP address as text, for the event log. IPv4 is written here, digit by digit into the string's
    /// own storage: NIO's `ipAddress` goes through `inet_ntop` and `sprintf`, and even appending four
    /// numbers and three dots builds seven strings — for every request. IPv6 keeps NIO's form.
    var addressText: String? {
        guard case .v4(let address) = self else { return ipAddress }
        let value = UInt32(bigEndian: address.address.sin_addr.s_addr)
        return String(unsafeUninitializedCapacity: 15) { text in
            var count = 0
            for shift in [24, 16, 8, 0] as [UInt32] {
                if shift != 24 { text[count] = UInt8(ascii: "."); count += 1 }
                let octet = UInt8(truncatingIfNeeded: value >> shift)
                if octet >= 100 { text[count] = UInt8(ascii: "0") + octet / 100; count += 1 }
                if octet >= 10 { text[count] = UInt8(ascii: "0") + octet / 10 % 10; count += 1 }
                text[count] = UInt8(ascii: "0") + octet % 10
                count += 1
            }
            return count
        }
    }
}
