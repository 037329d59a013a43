import Foundation
import HTTPTypes
import TesseraCore
import TesseraJSON

/// Calls the management API as an admin client would: bootstraps an admin on `system`, gets tokens
/// with private_key_jwt at `system`'s token endpoint, and sends JSON with the Bearer token.
struct ManagementDriver: Sendable {
    let http: HTTPDriver
    let deployment: TestDeployment
    let adminID: String
    let key: ClientKeyPair

    /// Creates the first admin client (as `tessera admin bootstrap` does).
    static func bootstrap(_ http: HTTPDriver, _ deployment: TestDeployment) async throws -> ManagementDriver {
        let key = try ClientKeyPair.generate(.es256)
        let admin = try await deployment.admin.bootstrapAdminClient(name: "automation", jwks: key.jwksDocument(), force: false)
        return ManagementDriver(http: http, deployment: deployment, adminID: admin.id, key: key)
    }

    /// A `system` access token with `scopes`, by private_key_jwt.
    func token(_ scopes: [String]) async throws -> String {
        let endpoint = IssuerURLs(publicURL: deployment.publicURL, server: SystemServer.name).tokenEndpoint
        let assertion = try await key.signAssertion(ClientKeyPair.assertionClaims(clientID: adminID, audience: endpoint, now: deployment.clock.now))
        let answer = try await http.post(path(endpoint), form: [
            ("grant_type", "client_credentials"), ("scope", scopes.joined(separator: " ")),
            ("client_assertion_type", HTTPDriver.assertionType), ("client_assertion", assertion),
        ])
        guard let token = answer.accessToken else { throw DriverFailure("no system token: \(answer.status) \(answer.text)") }
        return token
    }

    func call(_ method: HTTPRequest.Method, _ uri: String, token: String?, json: String? = nil, headers: HTTPFields = [:]) async throws -> HTTPDriver.Answer {
        var fields = headers
        if let token { fields[.authorization] = "Bearer \(token)" }
        if json != nil, fields[.contentType] == nil { fields[.contentType] = "application/json" }
        return try await http.send(uri, method: method, headers: fields, body: json)
    }

    struct DriverFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

extension HTTPDriver.Answer {
    /// The problem document's `reason`.
    var reason: String? { json["reason"] as? String }
}
