import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import TesseraCore
import TesseraStore

/// Fetches client `jwks_uri` documents under `OutboundPolicy`, with one deadline for the whole
/// exchange (connection, headers and body), a size cap, and no redirects, so a slow, huge, looping or
/// internal answer can neither stall nor exhaust the server nor make it reach into its own network.
public struct HTTPJWKSFetcher: JWKSFetcher {
    let policy: OutboundPolicy
    let deadline: Duration
    let maxBytes: Int

    public init(policy: OutboundPolicy = .strict, deadline: Duration = .seconds(5), maxBytes: Int = 65_536) {
        self.policy = policy
        self.deadline = deadline
        self.maxBytes = maxBytes
    }

    public func fetchJWKS(from url: String) async throws -> [UInt8] {
        let (_, host, port) = try policy.target(of: url)
        let seconds = Double(deadline.components.seconds) + Double(deadline.components.attoseconds) / 1e18
        return try await withDeadline(deadline, onTimeout: { JWKSFetchError("it did not answer in full within \(seconds) s") }) {
            let address = try await Self.resolve(host, port: port)
            if let problem = policy.problem(connectingTo: address) { throw JWKSFetchError(problem) }
            return try await fetch(url, host: host, connectingTo: address)
        }
    }

    /// The address `host` resolves to (the first `getaddrinfo` answer), resolved off the event loops.
    static func resolve(_ host: String, port: Int) async throws -> SocketAddress {
        do {
            return try await NIOThreadPool.singleton.runIfActive { try SocketAddress.makeAddressResolvingHost(host, port: port) }
        } catch {
            throw JWKSFetchError("its host \(host) does not resolve")
        }
    }

    /// One GET to exactly `address` (the checked one: DNS is not asked again), TLS still verified for `host`.
    private func fetch(_ url: String, host: String, connectingTo address: SocketAddress) async throws -> [UInt8] {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5)))
        configuration.dnsOverride = [host: address.ipAddress ?? host]
        configuration.httpVersion = .http1Only
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            let body = try await get(url, with: client)
            try await client.shutdown()
            return body
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func get(_ url: String, with client: HTTPClient) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/jwk-set+json, application/json")
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(Int64(deadline.components.seconds) + 1))
        } catch {
            throw JWKSFetchError("the request failed (\(error))")
        }
        if (300..<400).contains(response.status.code) {
            let location = response.headers.first(name: "Location").map { " to \($0.prefix(200))" } ?? ""
            throw JWKSFetchError("it answered HTTP \(response.status.code)\(location); redirects are not followed, register the final URL")
        }
        guard response.status == .ok else {
            throw JWKSFetchError("it answered HTTP \(response.status.code)")
        }
        if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > maxBytes {
            throw JWKSFetchError("the document is larger than \(maxBytes) bytes (Content-Length \(length))")
        }
        do {
            let body = try await response.body.collect(upTo: maxBytes)
            return Array(body.readableBytesView)
        } catch {
            throw JWKSFetchError("the document is larger than \(maxBytes) bytes or the transfer failed")
        }
    }
}
