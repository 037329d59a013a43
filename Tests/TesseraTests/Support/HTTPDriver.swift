import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TesseraCore
import TesseraWire

/// Sends requests through the test client and decodes answers, so tests read as the requests users send.
struct HTTPDriver: Sendable {
    let client: any TestClientProtocol

    struct Answer: Sendable {
        let status: Int
        let headers: HTTPFields
        let text: String

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        }

        var error: String? { json["error"] as? String }
        var description: String { json["error_description"] as? String ?? "" }
        var accessToken: String? { json["access_token"] as? String }
        func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }
    }

    static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> Answer {
        try await send(uri, method: .get, headers: headers, body: nil)
    }

    /// POSTs form parameters (in order, form-urlencoded).
    func post(_ uri: String, form: [(String, String)], headers: HTTPFields = [:]) async throws -> Answer {
        var fields = headers
        if fields[.contentType] == nil { fields[.contentType] = "application/x-www-form-urlencoded" }
        return try await send(uri, method: .post, headers: fields, body: Self.encode(form))
    }

    /// POSTs raw bytes as a form body, for malformed-input tests.
    func postRaw(_ uri: String, bytes: [UInt8], contentType: String? = "application/x-www-form-urlencoded", headers: HTTPFields = [:]) async throws -> Answer {
        var fields = headers
        if let contentType { fields[.contentType] = contentType }
        let response = try await client.executeRequest(uri: uri, method: .post, headers: fields, body: ByteBuffer(bytes: bytes))
        return Answer(status: Int(response.status.code), headers: response.headers, text: String(buffer: response.body))
    }

    func send(_ uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: String?) async throws -> Answer {
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return Answer(status: Int(response.status.code), headers: response.headers, text: String(buffer: response.body))
    }

    static func encode(_ form: [(String, String)]) -> String {
        FormURLEncoding.encode(form)
    }

    static func formEncode(_ text: String) -> String {
        FormURLEncoding.encodeComponent(text)
    }

    /// `Authorization: Basic` per RFC 6749 §2.3.1 (each part form-urlencoded first).
    static func basic(_ id: String, _ secret: String) -> HTTPFields {
        [.authorization: AuthorizationHeader.basic(clientID: id, secret: secret)]
    }
}

/// The path part of an absolute URL from the test deployment, for the router test client.
func path(_ url: String) -> String {
    url.replacingOccurrences(of: TestDeployment.publicURL, with: "")
}
