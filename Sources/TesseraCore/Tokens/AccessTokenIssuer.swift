import Foundation
import TesseraStore
import TesseraJSON

/// Issues RFC 9068 JWT access tokens signed with the server's current key.
public struct AccessTokenIssuer: Sendable {
    /// Claims a server or client cannot override with custom claims.
    public static let reservedClaims: Set<String> = ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope", "typ", "auth_time", "acr", "amr"]

    let directory: Directory
    let clock: any WallClock
    let publicURL: String

    public init(directory: Directory, clock: any WallClock, publicURL: String) {
        self.directory = directory
        self.clock = clock
        self.publicURL = publicURL
    }

    public func issue(subject: String, client: Client, server: AuthorizationServer, scopes: [String], audiences: [String]) async throws(OAuthError) -> TokenResponse {
        if server.tokenFormat == .opaque {
            return try await issueOpaque(subject: subject, client: client, server: server, scopes: scopes, audiences: audiences)
        }
        let ring: ServerKeyRing = try await storeCall("loading the signing key") { () throws(StoreError) in try await directory.keyRing(server: server.name) }
        guard let signer = ring.signer else {
            throw OAuthError(.serverError, .serverNoSigningKey, "authorization server \(quoted(server.name)) has no active signing key", clientID: client.id)
        }
        let now = clock.now.epochSeconds
        let scope = scopes.joined(separator: " ")
        var claims: [(String, JSONValue)] = [
            ("iss", .string(IssuerURLs(publicURL: publicURL, server: server.name).issuer)),
            ("sub", .string(subject)),
        ]
        if audiences.count == 1 { claims.append(("aud", .string(audiences[0]))) }
        else if !audiences.isEmpty { claims.append(("aud", .array(audiences.map(JSONValue.string)))) }
        claims.append(("client_id", .string(client.id)))
        if !scope.isEmpty { claims.append(("scope", .string(scope))) }
        claims.append(("iat", .number(Double(now))))
        claims.append(("exp", .number(Double(now + Int64(server.accessTokenTTL)))))
        claims.append(("jti", .string("AT." + SecureRandom.token(byteCount: 16))))
        let custom = Self.customClaims(server: server, client: client)
        for key in custom.keys.sorted() {
            if let value = custom[key] { claims.append((key, value)) }
        }
        let token: String
        do {
            token = try signer.sign(payload: JSONWriter.object(claims))
        } catch {
            throw OAuthError(.serverError, .internalError, "the access token could not be signed", detail: ["error": String(describing: error)], clientID: client.id)
        }
        return TokenResponse(accessToken: token, expiresIn: server.accessTokenTTL, scope: scope.isEmpty ? nil : scope)
    }

    /// The server's claims overlaid with the client's, without registered claim names.
    static func customClaims(server: AuthorizationServer, client: Client) -> [String: JSONValue] {
        if server.claims.isEmpty && client.claims.isEmpty { return [:] }
        var custom = server.claims
        custom.merge(client.claims) { _, clientValue in clientValue }
        return custom.filter { !reservedClaims.contains($0.key) }
    }

    /// An opaque token: random, recorded by hash (committed before it is returned).
    private func issueOpaque(subject: String, client: Client, server: AuthorizationServer, scopes: [String], audiences: [String]) async throws(OAuthError) -> TokenResponse {
        let token = OpaqueToken.newAccessToken()
        let now = Date(timeIntervalSince1970: TimeInterval(clock.now.epochSeconds))
        let record = TokenRecord(
            hash: Hashing.sha256(token), kind: .accessToken, server: server.name, clientID: client.id, subject: subject,
            scopes: scopes, audiences: audiences, claims: Self.customClaims(server: server, client: client),
            jti: "AT." + SecureRandom.token(byteCount: 16), issuedAt: now, expiresAt: now.addingTimeInterval(TimeInterval(server.accessTokenTTL)))
        try await storeCall("recording the token") { () throws(StoreError) in try await directory.stores.tokens.saveToken(record) }
        let scope = scopes.joined(separator: " ")
        return TokenResponse(accessToken: token, expiresIn: server.accessTokenTTL, scope: scope.isEmpty ? nil : scope)
    }
}
