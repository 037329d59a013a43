import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TesseraCore

/// `tessera token`: asks a server for a token the way a client would, and prints the answer.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Request an access token with client_credentials.")
    @Option(help: "Issuer URL, e.g. http://127.0.0.1:8080/oauth2/default.") var issuer: String
    @OptionGroup var signing: AssertionOptions
    @Option(name: .customLong("auth-method"), help: "With --client-secret: client_secret_basic (default), client_secret_post or client_secret_jwt.") var authMethod: String = "client_secret_basic"
    @Option(name: .customLong("scope"), help: "Scope to request. Repeatable.") var scopes: [String] = []
    @Option(name: .customLong("resource"), help: "RFC 8707 resource. Repeatable.") var resources: [String] = []

    func run() async throws {
        let endpoint = try await OAuthHTTP.discover(issuer: issuer, field: "token_endpoint")
        var form: [(String, String)] = [("grant_type", "client_credentials")]
        if !scopes.isEmpty { form.append(("scope", scopes.joined(separator: " "))) }
        form += resources.map { ("resource", $0) }
        var headers: [(String, String)] = []
        try await OAuthHTTP.addClientAuthentication(signing, method: authMethod, audience: endpoint, form: &form, headers: &headers)
        let (status, body) = try await OAuthHTTP.post(endpoint, form: form, headers: headers)
        try OAuthHTTP.printAnswer(status: status, body: body)
    }
}
