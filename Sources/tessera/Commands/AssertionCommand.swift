import ArgumentParser
import Foundation
import TesseraCore

/// `tessera assertion`: prints a fresh client assertion.
struct AssertionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "assertion", abstract: "Print a signed client assertion (private_key_jwt or client_secret_jwt).")
    @OptionGroup var signing: AssertionOptions
    @Option(help: "The aud claim: the token or introspection endpoint URL.") var audience: String
    @Option(help: "Seconds until exp (default 60).") var lifetime: Int = 60

    func run() async throws {
        print(try await signing.makeAssertion(audience: audience, lifetime: lifetime))
    }
}

/// How to sign a client assertion: a private key file or a client secret.
struct AssertionOptions: ParsableArguments {
    @Option(name: .customLong("client-id")) var clientID: String
    @Option(name: .customLong("private-key"), help: "PEM private key (private_key_jwt).") var privateKey: String?
    @Option(name: .customLong("client-secret"), help: "Client secret (client_secret_jwt, or secret methods for `token`).") var clientSecret: String?
    @Option(help: "kid header (default: the key's RFC 7638 thumbprint).") var kid: String?

    func validate() throws {
        guard (privateKey == nil) != (clientSecret == nil) else {
            throw ValidationError("give exactly one of --private-key or --client-secret")
        }
    }

    func makeAssertion(audience: String, lifetime: Int) async throws -> String {
        guard (1...3600).contains(lifetime) else { throw ValidationError("--lifetime must be 1...3600 seconds") }
        let claims = ClientKeyPair.assertionClaims(clientID: clientID, audience: audience, lifetime: lifetime)
        if let privateKey {
            guard let pem = try? String(contentsOfFile: privateKey, encoding: .utf8) else {
                throw AdminError("cannot read private key file \(privateKey)")
            }
            return try await ClientKeyPair(pem: pem).signAssertion(claims, kid: kid)
        }
        return try await ClientKeyPair.signAssertion(claims, secret: clientSecret ?? "")
    }
}
