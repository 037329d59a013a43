import ArgumentParser
import Foundation
import TesseraCore

/// `tessera keygen`: a private key for `private_key_jwt` and the JWKS to register.
struct Keygen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate a client key pair: PKCS#8 PEM private key (0600) and a JWKS with the public key.")
    @Option(help: "ES256, RS256 or EdDSA.") var alg: String = "ES256"
    @Option(name: .customLong("private-key"), help: "Where to write the private key (PEM).") var privateKey: String
    @Option(help: "Where to write the public JWKS.") var jwks: String
    @Option(help: "Key id (default: the RFC 7638 thumbprint, which `tessera assertion` derives by itself).") var kid: String?

    func validate() throws {
        guard ClientKeyPair.Algorithm(rawValue: alg) != nil else {
            throw ValidationError("--alg must be ES256, RS256 or EdDSA; got \"\(alg)\"")
        }
    }

    func run() async throws {
        let pair = try ClientKeyPair.generate(ClientKeyPair.Algorithm(rawValue: alg) ?? .es256)
        let files = FileManager.default
        guard !files.fileExists(atPath: privateKey) else {
            throw AdminError("\(privateKey) already exists; refusing to overwrite a private key")
        }
        guard files.createFile(atPath: privateKey, contents: Data(pair.privateKeyPEM.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CommandFailure(message: "cannot write \(privateKey)")
        }
        guard files.createFile(atPath: jwks, contents: Data((pair.jwksDocument(kid: kid) + "\n").utf8)) else {
            throw CommandFailure(message: "cannot write \(jwks)")
        }
        print("private key: \(privateKey) (\(alg), mode 0600)")
        print("public JWKS: \(jwks) (kid \(kid ?? pair.thumbprint))")
    }
}

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
