import HTTPTypes

/// The address a request is from, for rate limits, lockout and the event log: the peer's, unless the
/// peer is a `--trusted-proxy`, in which case the proxies' `X-Forwarded-For` (else RFC 7239
/// `Forwarded: for=`) is read from the right, skipping trusted proxies, and its first other address is
/// the caller's. Headers from any other peer are ignored (anyone can send them) and the event says so.
public struct ClientAddress: Sendable, Equatable {
    /// The caller's address.
    public var address: String?
    /// For the event: which proxy it came through, or that forwarding headers were ignored and why.
    public var detail: [String: String]

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let forwarded = HTTPField.Name("Forwarded")!

    /// The caller of a request from `peer` with `headers`, given the trusted proxies.
    public static func resolve(peer: String?, headers: HTTPFields, trusted: [IPNetwork]) -> ClientAddress {
        let xff = headers[values: forwardedFor]
        let forwarded = headers[values: Self.forwarded]
        guard !xff.isEmpty || !forwarded.isEmpty else { return ClientAddress(address: peer, detail: [:]) }
        guard let peer, trusted.contains(where: { $0.contains(peer) }) else {
            let why = trusted.isEmpty ? "no --trusted-proxy is configured" : "\(peer ?? "the peer") is not a --trusted-proxy"
            return ClientAddress(address: peer, detail: ["forwarded_ignored": "X-Forwarded-For/Forwarded ignored: \(why)"])
        }
        let hops = xff.isEmpty ? forwarded.flatMap(forwardedFors) : xff.flatMap { $0.split(separator: ",").map { $0.trimmingSpaces } }
        for hop in hops.reversed() {
            guard IPNetwork.addressBytes(hop) != nil else {
                // An unreadable hop (a name, "unknown", garbage): what is left of it cannot be trusted.
                return ClientAddress(address: peer, detail: ["forwarded_ignored": "forwarded address \(hop.prefix(60).debugDescription) is not an IP address", "proxy": peer])
            }
            if !trusted.contains(where: { $0.contains(hop) }) {
                return ClientAddress(address: hop, detail: ["proxy": peer])
            }
        }
        return ClientAddress(address: hops.first ?? peer, detail: ["proxy": peer])
    }

    /// The `for=` addresses of a `Forwarded` header value (RFC 7239 §4), quotes, brackets and ports removed.
    static func forwardedFors(_ value: String) -> [String] {
        value.split(separator: ",").compactMap { element in
            for pair in element.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingSpaces.lowercased() == "for" else { continue }
                var node = parts[1].trimmingSpaces
                if node.hasPrefix("\""), node.hasSuffix("\""), node.count >= 2 { node = String(node.dropFirst().dropLast()) }
                if node.hasPrefix("["), let close = node.firstIndex(of: "]") { return String(node[node.index(after: node.startIndex)..<close]) }
                if node.filter({ $0 == ":" }).count == 1, let colon = node.firstIndex(of: ":") { return String(node[..<colon]) }
                return node
            }
            return nil
        }
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
