import Foundation
import JWTKit
import TesseraStore
import TesseraJSON

/// The operations behind the admin CLI: creating servers, scopes and clients with every rule a
/// registration must satisfy (names, scopes that exist, keys that parse, secrets generated and hashed).
/// Signing keys are in `Administration+Keys.swift`, rotating client credentials in
/// `Administration+Credentials.swift`.
public struct Administration: Sendable {
    public let stores: Stores
    let masterKey: MasterKey
    let clock: any WallClock

    public init(stores: Stores, masterKey: MasterKey, clock: any WallClock = SystemWallClock()) {
        self.stores = stores
        self.masterKey = masterKey
        self.clock = clock
    }

    /// Creates a server with a fresh ES256 signing key. With no audience given it gets `api://NAME`.
    @discardableResult
    public func createServer(name: String, audiences: [String] = [], accessTokenTTL: Int = 3600, claims: [String: JSONValue] = [:],
                             tokenFormat: TokenFormat = .jwt) async throws -> AuthorizationServer {
        guard AuthorizationServer.isValidName(name) else {
            throw AdminError("server name \(quoted(name)) must be 1-64 characters of a-z, 0-9, '-' and '_'")
        }
        try Self.checkServerSettings(audiences: audiences, accessTokenTTL: accessTokenTTL, claims: claims)
        let server = AuthorizationServer(name: name, audiences: audiences.isEmpty ? ["api://\(name)"] : audiences,
                                         accessTokenTTL: accessTokenTTL, claims: claims, tokenFormat: tokenFormat, createdAt: clock.now)
        try await stores.servers.createServer(server)
        try await stores.keys.addKey(SigningKeyFactory.makeES256(server: name, masterKey: masterKey, now: clock.now))
        return server
    }

    /// Changes a server's settings; nil leaves a setting as it is (`rateLimit: .some(nil)` removes the
    /// server's limit). Takes effect on running nodes within a second.
    @discardableResult
    public func updateServer(name: String, audiences: [String]? = nil, accessTokenTTL: Int? = nil, claims: [String: JSONValue]? = nil,
                             tokenFormat: TokenFormat? = nil, rateLimit: RateLimit?? = nil,
                             maxAssertionLifetime: Int?? = nil, keyRotation: Int?? = nil) async throws -> AuthorizationServer {
        var change = ServerChange()
        change.audiences = audiences.flatMap { $0.isEmpty ? nil : $0 }
        change.accessTokenTTL = accessTokenTTL
        change.claims = claims
        change.tokenFormat = tokenFormat
        change.rateLimit = rateLimit
        change.maxAssertionLifetime = maxAssertionLifetime
        change.keyRotation = keyRotation
        return try await updateServer(name: name, change)
    }

    /// Scheduled key rotation intervals accepted: from an hour (longer than the publish delay, so keys
    /// never queue up) to ten years.
    public static let keyRotationRange = 3600...315_360_000

    static func checkServerSettings(audiences: [String], accessTokenTTL: Int, claims: [String: JSONValue]) throws {
        guard (60...86_400).contains(accessTokenTTL) else {
            throw AdminError("access token TTL must be between 60 and 86400 seconds; got \(accessTokenTTL)")
        }
        for audience in audiences where !ResourceSelection.isAbsoluteURIWithoutFragment(audience) {
            throw AdminError("audience \(quoted(audience)) must be an absolute URI without a fragment, e.g. https://api.example.com")
        }
        try checkCustomClaims(claims)
    }

    /// Creates the server `default` if the deployment has no server of its own (first start; a deployment
    /// that deleted `default` keeps it deleted), and the built-in `system` server of the management API
    /// (`SystemServer`). Returns whether `default` was created.
    public func bootstrapDefaultServer() async throws -> Bool {
        try await bootstrapSystemServer()
        if try await stores.servers.server(named: "default") != nil { return false }
        if try await stores.servers.hasServer(otherThan: SystemServer.name) { return false }
        do {
            try await createServer(name: "default")
            return true
        } catch StoreError.alreadyExists {
            return false
        }
    }

    public func createScope(server: String, name: String, description: String?) async throws -> Scope {
        _ = try await requireServer(server)
        guard Scope.isValidName(name) else {
            throw AdminError("scope name \(quoted(name)) must be printable ASCII without spaces, quotes or backslashes", field: "name")
        }
        guard !name.hasPrefix(SystemServer.reservedScopePrefix) else {
            throw AdminError("scope names starting with \(SystemServer.reservedScopePrefix) are reserved for the management scopes of the built-in server system", field: "name")
        }
        let scope = Scope(server: server, name: name, description: description)
        try await stores.scopes.createScope(scope)
        return scope
    }

    /// A new client and, for secret methods, its secret (shown once, stored only hashed/encrypted).
    public struct CreatedClient: Sendable {
        public var client: Client
        public var secret: String?

        public init(client: Client, secret: String?) {
            self.client = client
            self.secret = secret
        }
    }

    /// `id` keeps a client id across deployments (`tessera apply` of an exported file); without one a new
    /// random id is drawn.
    public func createClient(server: String, name: String, method: ClientAuthMethod, jwks: String? = nil, jwksURI: String? = nil,
                             scopes: [String] = [], claims: [String: JSONValue] = [:], introspects: [String] = [],
                             flow: ClientFlowSettings = ClientFlowSettings(), id: String? = nil) async throws -> CreatedClient {
        if let id, !Client.isValidID(id) {
            throw AdminError("client id \(quoted(id)) must be 6 to 64 characters of A-Z, a-z, 0-9, '.', '_', '~' and '-'", field: "client_id")
        }
        let serverRecord = try await requireServer(server)
        try Self.checkIntrospects(introspects, server: serverRecord)
        try await checkScopes(scopes, server: server)
        try Self.checkCustomClaims(claims)
        if method == .privateKeyJWT {
            guard (jwks == nil) != (jwksURI == nil) else {
                throw AdminError("private_key_jwt needs exactly one of --jwks-file or --jwks-uri (API: jwks or jwks_uri)", field: "jwks")
            }
            if let jwks { try await Self.checkJWKS(jwks) }
            if let jwksURI, !(jwksURI.hasPrefix("https://") || jwksURI.hasPrefix("http://")) {
                throw AdminError("--jwks-uri must be an http(s) URL; got \(quoted(jwksURI))", field: "jwks_uri")
            }
        } else if jwks != nil || jwksURI != nil {
            throw AdminError("--jwks-file and --jwks-uri (API: jwks, jwks_uri) apply only to private_key_jwt clients", field: "jwks")
        }
        var client = Client(id: id ?? SecureRandom.identifier(prefix: "0oa"), server: server, name: name, authMethod: method,
                            jwks: jwks, jwksURI: jwksURI, scopes: scopes.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } },
                            claims: claims, introspectableResources: introspects, createdAt: clock.now)
        try apply(flow, to: &client, creating: true)
        let secret = try applyNewSecret(to: &client)
        try await stores.clients.createClient(client)
        return CreatedClient(client: client, secret: secret)
    }

    /// Creates the client a management API body described (`ManagementAPI.clientCreation`).
    public func createClient(server: String, _ creation: ManagementAPI.ClientCreation) async throws -> CreatedClient {
        try await createClient(server: server, name: creation.name, method: creation.method, jwks: creation.jwks, jwksURI: creation.jwksURI,
                               scopes: creation.scopes, claims: creation.claims, introspects: creation.introspects, flow: creation.flow, id: creation.id)
    }

    /// Gives the client its own rate limit, or (nil) makes it use its server's again.
    public func setRateLimit(clientID: String, _ limit: RateLimit?) async throws -> Client {
        var client = try await requireClient(clientID)
        client.rateLimit = limit
        try await stores.clients.updateClient(client)
        return client
    }

    public func setEnabled(clientID: String, _ enabled: Bool) async throws -> Client {
        var client = try await requireClient(clientID)
        client.enabled = enabled
        try await stores.clients.updateClient(client)
        return client
    }

    public func requireServer(_ name: String) async throws -> AuthorizationServer {
        guard let server = try await stores.servers.server(named: name) else {
            throw AdminError.notFound("no authorization server named \(quoted(name)); `tessera servers list` shows them")
        }
        return server
    }

    public func requireClient(_ id: String) async throws -> Client {
        guard let client = try await stores.clients.client(id: id) else {
            throw AdminError.notFound("no client with id \(quoted(id))")
        }
        return client
    }

    /// A new secret, first among the client's secrets; nil for methods without one.
    func applyNewSecret(to client: inout Client) throws -> String? {
        guard client.authMethod.usesSecret else { return nil }
        let secret = ClientSecret.generate()
        let sealed = client.authMethod == .clientSecretJWT ? try masterKey.seal(Data(secret.plaintext.utf8)) : nil
        client.secrets.insert(ClientSecretEntry(id: SecureRandom.identifier(prefix: "sec_", length: 12), hash: secret.hash, encrypted: sealed, createdAt: clock.now), at: 0)
        return secret.plaintext
    }

    static func checkCustomClaims(_ claims: [String: JSONValue]) throws {
        if let reserved = claims.keys.sorted().first(where: AccessTokenIssuer.reservedClaims.contains) {
            throw AdminError("claim \(quoted(reserved)) is set by the server and cannot be customised", field: "claims")
        }
    }

    /// Accepts a JWKS document whose keys are public, usable for signatures, and carry a kid.
    static func checkJWKS(_ text: String) async throws {
        guard let jwks = try? JSONDecoder().decode(JWKS.self, from: Data(text.utf8)), !jwks.keys.isEmpty else {
            throw AdminError("the JWKS file must be a JSON document {\"keys\":[…]} with at least one key", field: "jwks")
        }
        for key in jwks.keys {
            guard key.keyIdentifier != nil || jwks.keys.count == 1 else {
                throw AdminError("every key in a JWKS with several keys needs a kid", field: "jwks")
            }
            guard key.privateExponent == nil, !text.contains("\"d\"") else {
                throw AdminError("the JWKS contains private key material (\"d\"); register only the public keys", field: "jwks")
            }
            guard [JWK.KeyType.rsa, .ecdsa, .octetKeyPair].contains(key.keyType) else {
                throw AdminError("JWKS key type \(key.keyType.rawValue) is not usable for private_key_jwt; use EC, RSA or OKP keys", field: "jwks")
            }
            do {
                try await JWTKeyCollection().add(jwk: key)
            } catch {
                throw AdminError("JWKS key \(key.keyIdentifier.map { quoted($0.string) } ?? "without kid") (\(key.keyType.rawValue)) is incomplete or invalid: "
                                 + "an EC key needs crv, x and y, an RSA key n and e, an OKP key crv and x", field: "jwks")
            }
        }
    }
}
