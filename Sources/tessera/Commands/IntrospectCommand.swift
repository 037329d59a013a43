import ArgumentParser
import AsyncHTTPClient
import Foundation
import TesseraCore

/// How the `introspect` and `revoke` helpers authenticate: the client's own credentials or a Bearer token.
struct CallerOptions: ParsableArguments {
    @Option(help: "Issuer URL, e.g. http://127.0.0.1:8080/oauth2/default.") var issuer: String
    @Option(name: .customLong("client-id")) var clientID: String?
    @Option(name: .customLong("client-secret"), help: "Client secret.") var clientSecret: String?
    @Option(name: .customLong("private-key"), help: "PEM private key (private_key_jwt).") var privateKey: String?
    @Option(help: "kid header for --private-key (default: the key's RFC 7638 thumbprint).") var kid: String?
    @Option(name: .customLong("auth-method"), help: "With --client-secret: client_secret_basic (default), client_secret_post or client_secret_jwt.") var authMethod: String = "client_secret_basic"
    @Option(help: "An access token with the scope tessera:introspect (introspection only), instead of client credentials.") var bearer: String?

    func validate() throws {
        let ways = [clientSecret != nil, privateKey != nil, bearer != nil].filter { $0 }.count
        guard ways == 1 else { throw ValidationError("give exactly one of --client-secret, --private-key or --bearer") }
        if bearer == nil && clientID == nil { throw ValidationError("--client-id is required with --client-secret or --private-key") }
    }

    /// Posts `form` to the endpoint named `field` in discovery, authenticated as configured, and prints the answer.
    func call(field: String, form: [(String, String)], accept: String? = nil) async throws {
        let endpoint = try await OAuthHTTP.discover(issuer: issuer, field: field)
        var form = form
        var headers: [(String, String)] = []
        if let accept { headers.append(("Accept", accept)) }
        if let bearer {
            headers.append(("Authorization", "Bearer " + bearer))
        } else {
            let signing = try AssertionOptions.parse(["--client-id", clientID ?? ""]
                + (privateKey.map { ["--private-key", $0] } ?? []) + (clientSecret.map { ["--client-secret", $0] } ?? []) + (kid.map { ["--kid", $0] } ?? []))
            try await OAuthHTTP.addClientAuthentication(signing, method: authMethod, audience: endpoint, form: &form, headers: &headers)
        }
        let (status, body) = try await OAuthHTTP.post(endpoint, form: form, headers: headers)
        if status == 200 && body.isEmpty {
            print("{}")
            return
        }
        try OAuthHTTP.printAnswer(status: status, body: body)
    }
}

/// `tessera introspect`: asks the server whether a token is active, the way a resource server would.
struct IntrospectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "introspect", abstract: "Introspect a token (RFC 7662) and print the answer.")
    @OptionGroup var caller: CallerOptions
    @Option(name: .customLong("token-type-hint"), help: "access_token or refresh_token.") var hint: String?
    @Flag(help: "Ask for the signed RFC 9701 answer (application/token-introspection+jwt).") var jwt = false
    @Argument(help: "The token to check.") var token: String

    func run() async throws {
        var form = [("token", token)]
        if let hint { form.append(("token_type_hint", hint)) }
        try await caller.call(field: "introspection_endpoint", form: form, accept: jwt ? "application/token-introspection+jwt" : nil)
    }
}
