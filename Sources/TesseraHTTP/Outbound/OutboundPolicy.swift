import Foundation
import NIOCore
import TesseraCore

/// Where the server may send requests of its own (a client's `jwks_uri`): a URL given by whoever
/// registers a client must not make the server reach into its own network (SSRF, RFC 9700 §4.3 and
/// OWASP's SSRF rules).
///
/// By default only `https` URLs whose host resolves to a public address are fetched. Development
/// setups allow `http` and loopback or private addresses explicitly (`serve --allow-http-jwks-uri`,
/// `--allow-private-jwks-uri`). The address checked is the address connected to, so a DNS answer
/// that changes between the check and the connection cannot slip through.
public struct OutboundPolicy: Sendable, Equatable {
    /// Whether `http://` URLs are fetched (otherwise only `https://`).
    public var allowsHTTP: Bool
    /// Whether loopback, link-local, private, shared (CGNAT) and other non-public addresses are fetched.
    public var allowsPrivateAddresses: Bool

    public init(allowsHTTP: Bool = false, allowsPrivateAddresses: Bool = false) {
        self.allowsHTTP = allowsHTTP
        self.allowsPrivateAddresses = allowsPrivateAddresses
    }

    /// https and public addresses only: the default.
    public static let strict = OutboundPolicy()
    /// Anything reachable: for tests and development against local servers.
    public static let development = OutboundPolicy(allowsHTTP: true, allowsPrivateAddresses: true)

    /// The URL's scheme, host and port, or why it may not be fetched at all.
    func target(of text: String) throws(JWKSFetchError) -> (scheme: String, host: String, port: Int) {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw JWKSFetchError("it is not an absolute URL")
        }
        guard url.user == nil, url.password == nil else { throw JWKSFetchError("it carries a user name or password") }
        switch scheme {
        case "https": break
        case "http" where allowsHTTP: break
        case "http": throw JWKSFetchError("it is http; this server fetches https only (serve --allow-http-jwks-uri allows http for development)")
        default: throw JWKSFetchError("its scheme \(scheme) is not https")
        }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return (scheme, bare, url.port ?? (scheme == "https" ? 443 : 80))
    }

    /// Why the server may not connect to `address`, or nil when it may.
    func problem(connectingTo address: SocketAddress) -> String? {
        guard !allowsPrivateAddresses else { return nil }
        let text = address.ipAddress ?? "?"
        switch address {
        case .v4(let v4):
            let value = UInt32(bigEndian: v4.address.sin_addr.s_addr)
            return Self.nonPublicIPv4(value).map { "its host resolves to \(text), a \($0) address" }
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            return Self.nonPublicIPv6(bytes).map { "its host resolves to \(text), a \($0) address" }
        default:
            return "its host resolves to a non-IP address"
        }
    }

    /// The kind of non-public IPv4 range `value` is in, or nil for a public address.
    static func nonPublicIPv4(_ value: UInt32) -> String? {
        func within(_ base: UInt32, _ bits: UInt32) -> Bool { value >> (32 - bits) == base >> (32 - bits) }
        if within(0x7F00_0000, 8) { return "loopback" }
        if within(0x0A00_0000, 8) || within(0xAC10_0000, 12) || within(0xC0A8_0000, 16) { return "private" }
        if within(0xA9FE_0000, 16) { return "link-local" }
        if within(0x6440_0000, 10) { return "shared (carrier-grade NAT)" }
        if within(0x0000_0000, 8) { return "\"this network\"" }
        if within(0xC000_0000, 24) || within(0xC000_0200, 24) || within(0xC633_6400, 24) || within(0xCB00_7100, 24) { return "reserved" }
        if within(0xC612_0000, 15) { return "benchmarking" }
        if within(0xE000_0000, 4) { return "multicast" }
        if within(0xF000_0000, 4) { return "reserved" }
        return nil
    }

    /// The kind of non-public IPv6 range the 16 `bytes` are in, or nil for a public address.
    static func nonPublicIPv6(_ bytes: [UInt8]) -> String? {
        let zeros = bytes[0..<15].allSatisfy { $0 == 0 }
        if zeros && bytes[15] == 1 { return "loopback" }
        if zeros && bytes[15] == 0 { return "unspecified" }
        // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses are judged by their IPv4 part.
        let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
        let nat64 = bytes[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0]
        if mapped || nat64 {
            let v4 = bytes[12...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            return nonPublicIPv4(v4)
        }
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return "link-local" }
        if bytes[0] & 0xFE == 0xFC { return "unique local (private)" }
        if bytes[0] == 0xFF { return "multicast" }
        if bytes[0..<4] == [0x20, 0x01, 0x0D, 0xB8] { return "documentation" }
        if bytes[0..<12].allSatisfy({ $0 == 0 }) { return "IPv4-compatible (deprecated)" }
        return nil
    }
}
