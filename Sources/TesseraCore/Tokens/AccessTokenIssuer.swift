import Foundation
import TesseraStore
import TesseraJSON

/// Signs what a server issues with its current key: RFC 9068 JWT access tokens (and records opaque
/// ones), and RFC 9701 introspection answers (`signIntrospectionAnswer`, in its own file).
public struct AccessTokenIssuer: Sendable {
    /// Claims a server or client cannot override with custom claims.
    public static let reservedClaims: Set<String> = ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope", "typ", "auth_time", "acr", "amr", "sid", "username"]

    let directory: Directory
    let clock: any WallClock
    let publicURL: String

    public init(directory: Directory, clock: any WallClock, publicURL: String) {
        self.directory = directory
        self.clock = clock
        self.publicURL = publicURL
    }

    public func issue(subject: String, client: Client, server: AuthorizationServer, scopes: [String], audiences: [String]) async throws(OAuthError) -> TokenResponse {
        try await issueToken(subject: subject, client: client, server: server, scopes: scopes, audiences: audiences).response
    }

    /// An issued access token with what a refresh family needs to revoke it later.
    struct Issued: Sendable {
        var response: TokenResponse
        var jti: String
        var expiresAt: Date
        var format: TokenFormat
    }

    /// `user`: the claims of a signed-in user (`username`, `auth_time`, `acr`, `sid`, `groups`), after the
    /// registered ones; `family`: the grant an opaque token belongs to (its `parentHash`).
    func issueToken(subject: String, client: Client, server: AuthorizationServer, scopes: [String], audiences: [String],
                    user: [(String, JSONValue)] = [], username: String? = nil, family: Data? = nil) async throws(OAuthError) -> Issued {
        if server.tokenFormat == .opaque {
            return try await issueOpaque(subject: subject, client: client, server: server, scopes: scopes, audiences: audiences, user: user,
                                         username: username, family: family)
        }
        let signer = try await currentSigner(of: server, clientID: client.id, \.signer)
        let now = clock.now.epochSeconds
        let scope = scopes.joined(separator: " ")
        var claims: [(String, JSONValue)] = [
            ("iss", .string(issuer(of: server))),
            ("sub", .string(subject)),
        ]
        if audiences.count == 1 { claims.append(("aud", .string(audiences[0]))) }
        else if !audiences.isEmpty { claims.append(("aud", .array(audiences.map(JSONValue.string)))) }
        claims.append(("client_id", .string(client.id)))
        if !scope.isEmpty { claims.append(("scope", .string(scope))) }
        claims.append(("iat", .number(Double(now))))
        claims.append(("exp", .number(Double(now + Int64(server.accessTokenTTL)))))
        let jti = "AT." + SecureRandom.token(byteCount: 16)
        claims.append(("jti", .string(jti)))
        claims.append(contentsOf: user)
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
        return Issued(response: TokenResponse(accessToken: token, expiresIn: server.accessTokenTTL, scope: scope.isEmpty ? nil : scope), jti: jti,
                      expiresAt: Date(timeIntervalSince1970: TimeInterval(now + Int64(server.accessTokenTTL))), format: .jwt)
    }

    /// The signer `kind` of the server's key ring (the newest active key), or `server.no_signing_key`.
    func currentSigner(of server: AuthorizationServer, clientID: String, _ kind: KeyPath<ServerKeyRing, JWSSigner?>) async throws(OAuthError) -> JWSSigner {
        let ring = try await storeCall("loading the signing keys") { () throws(StoreError) in try await directory.keyRing(server: server.name) }
        guard let signer = ring[keyPath: kind] else {
            throw OAuthError(.serverError, .serverNoSigningKey, "authorization server \(quoted(server.name)) has no active signing key", clientID: clientID)
        }
        return signer
    }

    /// The `iss` of everything `server` signs.
    func issuer(of server: AuthorizationServer) -> String {
        IssuerURLs(publicURL: publicURL, server: server.name).issuer
    }

    /// The server's claims overlaid with the client's, without registered claim names.
    static func customClaims(server: AuthorizationServer, client: Client) -> [String: JSONValue] {
        if server.claims.isEmpty && client.claims.isEmpty { return [:] }
        var custom = server.claims
        custom.merge(client.claims) { _, clientValue in clientValue }
        return custom.filter { !reservedClaims.contains($0.key) }
    }

    /// An opaque token: random, recorded by hash (committed before it is returned).
    private func issueOpaque(subject: String, client: Client, server: AuthorizationServer, scopes: [String], audiences: [String],
                             user: [(String, JSONValue)], username: String?, family: Data?) async throws(OAuthError) -> Issued {
        let token = OpaqueToken.newAccessToken()
        let now = Date(timeIntervalSince1970: TimeInterval(clock.now.epochSeconds))
        var claims = Self.customClaims(server: server, client: client)
        for (name, value) in user where name != "username" { claims[name] = value }
        let record = TokenRecord(
            hash: Hashing.sha256(token), kind: .accessToken, server: server.name, clientID: client.id, subject: subject, username: username,
            scopes: scopes, audiences: audiences, claims: claims,
            jti: "AT." + SecureRandom.token(byteCount: 16), issuedAt: now, expiresAt: now.addingTimeInterval(TimeInterval(server.accessTokenTTL)),
            parentHash: family)
        try await storeCall("recording the token") { () throws(StoreError) in try await directory.stores.tokens.saveToken(record) }
        let scope = scopes.joined(separator: " ")
        return Issued(response: TokenResponse(accessToken: token, expiresIn: server.accessTokenTTL, scope: scope.isEmpty ? nil : scope), jti: record.jti,
                      expiresAt: record.expiresAt, format: .opaque)
    }
}
