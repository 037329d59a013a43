import AsyncHTTPClient
import NIOCore
import TesseraCore
import TesseraStore

/// Fetches client `jwks_uri` documents with a timeout and a size cap, so a slow or huge answer
/// cannot stall or exhaust the server.
public struct HTTPJWKSFetcher: JWKSFetcher {
    let timeout: TimeAmount
    let maxBytes: Int

    public init(timeout: TimeAmount = .seconds(5), maxBytes: Int = 65_536) {
        self.timeout = timeout
        self.maxBytes = maxBytes
    }

    public func fetchJWKS(from url: String) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/jwk-set+json, application/json")
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: timeout)
        } catch {
            throw JWKSFetchError("the request failed (\(error))")
        }
        guard response.status == .ok else {
            throw JWKSFetchError("it answered HTTP \(response.status.code)")
        }
        do {
            let body = try await response.body.collect(upTo: maxBytes)
            return Array(body.readableBytesView)
        } catch {
            throw JWKSFetchError("the document is larger than \(maxBytes) bytes or the transfer failed")
        }
    }
}
