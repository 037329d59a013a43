import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import TesseraCore
import TesseraJSON

/// `--server-url`, `--client-id`, `--private-key`: run an admin command through a server's management
/// API instead of on the database (env `TESSERA_SERVER_URL`, `TESSERA_CLIENT_ID`, `TESSERA_PRIVATE_KEY`).
/// The client is an admin client of the server `system` (`tessera admin bootstrap`).
struct RemoteOptions: ParsableArguments {
    @Option(name: .customLong("server-url"), help: "Manage a running server through its API, e.g. https://id.example.com (env TESSERA_SERVER_URL).")
    var serverURL: String?
    @Option(name: .customLong("client-id"), help: "With --server-url: the admin client of the server system (env TESSERA_CLIENT_ID).")
    var clientID: String?
    @Option(name: .customLong("private-key"), help: "With --server-url: the admin client's PEM private key (env TESSERA_PRIVATE_KEY).")
    var privateKey: String?

    @Option(help: "Use a named connection of the profile file (~/.config/tessera/profiles.yaml, or TESSERA_PROFILES_FILE) (env TESSERA_PROFILE).")
    var profile: String?

    /// The remote connection when a server URL is given (an option, the environment or a profile), nil
    /// for database mode. An option beats the environment, which beats the profile.
    func connection(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RemoteAdmin? {
        func given(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let named = try (profile ?? given("TESSERA_PROFILE")).map { try AdminProfile.named($0, environment: environment) }
        guard let url = serverURL ?? given("TESSERA_SERVER_URL") ?? named?.serverURL else { return nil }
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw ValidationError("--server-url must be an http(s) URL; got \(url.debugDescription)")
        }
        guard let clientID = clientID ?? given("TESSERA_CLIENT_ID") ?? named?.clientID,
              let keyPath = privateKey ?? given("TESSERA_PRIVATE_KEY") ?? named?.privateKey else {
            throw ValidationError("--server-url needs the admin client: --client-id and --private-key (or TESSERA_CLIENT_ID and TESSERA_PRIVATE_KEY, or a profile)")
        }
        guard let pem = try? String(contentsOfFile: keyPath, encoding: .utf8) else {
            throw CommandFailure(message: "cannot read private key file \(keyPath)")
        }
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        return RemoteAdmin(baseURL: base, clientID: clientID, keyPEM: pem)
    }
}

/// Calls the management API as an admin client: a `system` token by private_key_jwt for the scope the
/// command needs, then one JSON request. A refusal becomes one line with the problem's detail, reason
/// and request id, exit status 2 (1 when the server cannot be reached or fails).
struct RemoteAdmin: Sendable {
    let baseURL: String
    let clientID: String
    let keyPEM: String
    /// Tokens already fetched, by the scope they serve (a command that calls several times asks once).
    let tokens = TokenCache()

    /// Access tokens by scope for the life of one command.
    final class TokenCache: Sendable {
        let byScope = Mutex<[String: String]>([:])
    }

    /// Gets one token carrying all of `scopes` and uses it for them and their read scopes from now on
    /// (`tessera apply` changes servers, scopes and clients in one run).
    func authorize(_ scopes: [SystemServer.Scope]) async throws {
        let token = try await token(scopes.map(\.rawValue).joined(separator: " "))
        let served = scopes.flatMap { scope in SystemServer.Scope.allCases.filter { $0.isSatisfied(by: [scope.rawValue]) } }
        tokens.byScope.withLock { cache in for scope in served { cache[scope.rawValue] = token } }
    }

    func call(_ method: HTTPMethod, _ path: String, scope: SystemServer.Scope, body: [(String, JSONValue)]? = nil) async throws -> [String: JSONValue] {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(try await token(scope))")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: JSONWriter.object(body)))
        }
        let (status, _, bytes) = try await OAuthHTTP.exchange(request)
        let object = bytes.isEmpty ? [:] : ((try? JSONReader.object(in: bytes)) ?? [:])
        guard (200..<300).contains(status) else { throw Self.failure(status: status, object: object, bytes: bytes) }
        return object
    }

    func token(_ scope: SystemServer.Scope) async throws -> String {
        if let cached = tokens.byScope.withLock({ $0[scope.rawValue] }) { return cached }
        let token = try await token(scope.rawValue)
        tokens.byScope.withLock { $0[scope.rawValue] = token }
        return token
    }

    private func token(_ scope: String) async throws -> String {
        let endpoint = "\(baseURL)/oauth2/\(SystemServer.name)/v1/token"
        let assertion = try await ClientKeyPair(pem: keyPEM).signAssertion(ClientKeyPair.assertionClaims(clientID: clientID, audience: endpoint, lifetime: 60))
        let (status, bytes) = try await OAuthHTTP.post(endpoint, form: [
            ("grant_type", "client_credentials"), ("scope", scope),
            ("client_assertion_type", ClientAssertionVerifier.assertionType), ("client_assertion", assertion),
        ], headers: [])
        let object = (try? JSONReader.object(in: bytes)) ?? [:]
        guard status == 200, let token = object["access_token"]?.string else {
            let description = object["error_description"]?.string ?? String(decoding: bytes.prefix(300), as: UTF8.self)
            throw CommandFailure(message: "the server system at \(baseURL) refused a management token for \(clientID) (\(scope)): \(description) "
                                 + "(HTTP \(status), request id \(object["request_id"]?.string ?? "-"))", status: 2)
        }
        return token
    }

    static func failure(status: Int, object: [String: JSONValue], bytes: [UInt8]) -> CommandFailure {
        let detail = object["detail"]?.string ?? String(decoding: bytes.prefix(300), as: UTF8.self)
        let reason = object["reason"]?.string.map { ", \($0)" } ?? ""
        let requestID = object["request_id"]?.string ?? "-"
        return CommandFailure(message: "\(detail) (HTTP \(status)\(reason), request id \(requestID))", status: status >= 500 ? 1 : 2)
    }

    /// The items of a list answer (`{"clients": [...]}`).
    static func items(_ object: [String: JSONValue], _ name: String) -> [[String: JSONValue]] {
        guard case .array(let values)? = object[name] else { return [] }
        return values.compactMap { if case .object(let item) = $0 { item } else { nil } }
    }

    /// A path segment, percent-encoded.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? text
    }
}
