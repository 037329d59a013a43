import ArgumentParser
import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import TesseraCore
import TesseraJSON
import TesseraWire

/// The HTTP side of the client helpers: discovery, form posts, client authentication, printing.
enum OAuthHTTP {
    static func discover(issuer: String, field: String) async throws -> String {
        var base = issuer
        while base.hasSuffix("/") { base.removeLast() }
        let url = base + "/.well-known/oauth-authorization-server"
        let (status, body) = try await send(HTTPClientRequest(url: url))
        guard status == 200, let value = (try? JSONReader.object(in: body))?[field]?.string else {
            throw CommandFailure(message: "discovery at \(url) answered HTTP \(status) without \(field); is the issuer URL right?")
        }
        return value
    }

    static func addClientAuthentication(_ signing: AssertionOptions, method: String, audience: String,
                                        form: inout [(String, String)], headers: inout [(String, String)]) async throws {
        if signing.privateKey != nil || method == "client_secret_jwt" {
            form.append(("client_assertion_type", ClientAssertionVerifier.assertionType))
            form.append(("client_assertion", try await signing.makeAssertion(audience: audience, lifetime: 60)))
            return
        }
        let secret = signing.clientSecret ?? ""
        switch method {
        case "client_secret_basic":
            headers.append(("Authorization", AuthorizationHeader.basic(clientID: signing.clientID, secret: secret)))
        case "client_secret_post":
            form.append(("client_id", signing.clientID))
            form.append(("client_secret", secret))
        default:
            throw ValidationError("--auth-method must be client_secret_basic, client_secret_post or client_secret_jwt; got \"\(method)\"")
        }
    }

    /// A POST of `form` (form-urlencoded) with `headers`.
    static func formRequest(_ url: String, form: [(String, String)], headers: [(String, String)]) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: FormURLEncoding.encode(form)))
        return request
    }

    static func post(_ url: String, form: [(String, String)], headers: [(String, String)]) async throws -> (Int, [UInt8]) {
        try await send(formRequest(url, form: form, headers: headers))
    }

    static func send(_ request: HTTPClientRequest) async throws -> (Int, [UInt8]) {
        let (status, _, body) = try await exchange(request)
        return (status, body)
    }

    /// Status, headers and body of one request; a transport failure is a `CommandFailure` naming the URL.
    static func exchange(_ request: HTTPClientRequest) async throws -> (Int, HTTPHeaders, [UInt8]) {
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), response.headers, Array(body.readableBytesView))
        } catch {
            throw CommandFailure(message: "cannot reach \(request.url): \(error)")
        }
    }

    /// Prints a success body as is; an error as the server's code, description and request id.
    static func printAnswer(status: Int, body: [UInt8]) throws {
        let text = String(decoding: body, as: UTF8.self)
        guard (200..<300).contains(status) else {
            let object = (try? JSONReader.object(in: body)) ?? [:]
            let error = object["error"]?.string ?? "HTTP \(status)"
            let description = object["error_description"]?.string ?? text
            let requestID = object["request_id"]?.string ?? "-"
            throw CommandFailure(message: "\(error): \(description) (HTTP \(status), request id \(requestID))")
        }
        print(text)
    }
}
