import AsyncHTTPClient
import Foundation
import NIOCore
import TesseraJSON
import TesseraWire
import Synchronization

/// GETs and POSTs JSON documents from the authorization server with a timeout and a size cap.
struct RemoteDocuments: Sendable {
    let client: HTTPClient
    let timeout: TimeAmount = .seconds(5)
    let maxBytes = 1 << 20

    struct Answer {
        var status: Int
        var body: [UInt8]
        var maxAge: TimeInterval?
    }

    func get(_ url: String) async throws(TokenValidationError) -> Answer {
        try await send(HTTPClientRequest(url: url))
    }

    func post(_ url: String, form: [(String, String)], headers: [(String, String)]) async throws(TokenValidationError) -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: FormURLEncoding.encode(form)))
        return try await send(request)
    }

    private func send(_ request: HTTPClientRequest) async throws(TokenValidationError) -> Answer {
        do {
            let response = try await client.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: maxBytes)
            return Answer(status: Int(response.status.code), body: Array(body.readableBytesView),
                          maxAge: response.headers.first(name: "Cache-Control").flatMap(Self.maxAge))
        } catch {
            throw TokenValidationError(.unavailable, "the authorization server could not be reached at \(request.url): \(error)")
        }
    }

    /// `max-age` of a Cache-Control value, if any.
    static func maxAge(_ header: String) -> TimeInterval? {
        for directive in header.split(separator: ",") {
            let parts = directive.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "max-age", let seconds = TimeInterval(parts[1]) { return seconds }
        }
        return nil
    }
}

/// The issuer's discovery document, read once and kept (retried while it fails).
final class IssuerMetadata: Sendable {
    struct Endpoints: Sendable {
        var jwksURI: String
        var introspectionEndpoint: String?
    }

    private let issuer: String
    private let documents: RemoteDocuments
    private let cached = Mutex<Endpoints?>(nil)

    init(issuer: String, documents: RemoteDocuments) {
        self.issuer = issuer
        self.documents = documents
    }

    func endpoints() async throws(TokenValidationError) -> Endpoints {
        if let known = cached.withLock({ $0 }) { return known }
        let answer = try await documents.get(issuer + "/.well-known/oauth-authorization-server")
        guard answer.status == 200,
              let object = try? JSONReader.object(in: answer.body),
              let jwks = object["jwks_uri"]?.string else {
            throw TokenValidationError(.unavailable, "the discovery document of \(issuer) could not be read (HTTP \(answer.status))")
        }
        if let advertised = object["issuer"]?.string, advertised != issuer {
            throw TokenValidationError(.unavailable, "discovery at \(issuer) names another issuer (\(advertised)); check the configured issuer URL")
        }
        let endpoints = Endpoints(jwksURI: jwks, introspectionEndpoint: object["introspection_endpoint"]?.string)
        cached.withLock { $0 = endpoints }
        return endpoints
    }
}
