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
