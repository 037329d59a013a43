import Foundation
import JWTKit
import TesseraStore
import TesseraJSON

/// The operations behind the admin CLI: creating servers, scopes and clients with every rule a
/// registration must satisfy (names, scopes that exist, keys that parse, secrets generated and hashed).
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
                             maxAssertionLifetime: Int?? = nil) async throws -> AuthorizationServer {
        var server = try await requireServer(name)
        if let rateLimit { server.rateLimit = rateLimit }
        if let maxAssertionLifetime {
            if let seconds = maxAssertionLifetime, !(30...86_400).contains(seconds) {
                throw AdminError("the maximum assertion lifetime must be between 30 and 86400 seconds; got \(seconds)")
            }
            server.maxAssertionLifetime = maxAssertionLifetime
        }
        if let audiences, !audiences.isEmpty { server.audiences = audiences }
        if let accessTokenTTL { server.accessTokenTTL = accessTokenTTL }
        if let claims { server.claims = claims }
        if let tokenFormat { server.tokenFormat = tokenFormat }
        try Self.checkServerSettings(audiences: server.audiences, accessTokenTTL: server.accessTokenTTL, claims: server.claims)
        try await stores.servers.updateServer(server)
        return server
    }

    static func checkServerSettings(audiences: [String], accessTokenTTL: Int, claims: [String: JSONValue]) throws {
        guard (60...86_400).contains(accessTokenTTL) else {
            throw AdminError("access token TTL must be between 60 and 86400 seconds; got \(accessTokenTTL)")
        }
        for audience in audiences where !ResourceSelection.isAbsoluteURIWithoutFragment(audience) {
            throw AdminError("audience \(quoted(audience)) must be an absolute URI without a fragment, e.g. https://api.example.com")
        }
        try checkCustomClaims(claims)
    }

    /// How long a new key is published before it signs: at least the JWKS `max-age` (300 s), so every
    /// cache that fetched the JWKS holds the key before the first token names it.
    public static let defaultPublishDelay: TimeInterval = 300

    /// Adds a new signing key of `algorithm` (ES256 unless named), published at once and signing after `publishDelay` (0: at once,
    /// for a key that must be replaced now). The current key becomes previous then, and retires by
    /// itself once the longest token it can have signed has expired (activation + the server's token
    /// lifetime + a minute); tokens it signed verify until then. Refused while another key is still next.
    public func rotateKey(server: String, algorithm: String = "ES256", publishDelay: TimeInterval = 0) async throws -> SigningKey {
        let record = try await requireServer(server)
        guard publishDelay >= 0 else { throw AdminError("the publish delay must not be negative") }
        guard SigningKeyFactory.supportedAlgorithms.contains(algorithm) else {
            throw AdminError("unknown signing algorithm \(quoted(algorithm)); supported: \(SigningKeyFactory.supportedAlgorithms.joined(separator: ", "))")
        }
        let now = clock.now
        let keys = try await stores.keys.keys(server: server)
        let states = KeyState.of(keys, at: now)
        if let waiting = states.first(where: { $0.state == .next })?.key {
            throw AdminError("key \(waiting.kid) of server \(server) is already waiting to sign from \(waiting.activatesAt.epochSeconds); "
                             + "let it become current or retire it (`tessera keys retire --server \(server) \(waiting.kid)`)")
        }
        // The newest activation signs, so the new key must sort after every existing one even if the
        // clock has not moved since (tests) or stepped back.
        let newest = keys.map(\.createdAt).max() ?? .distantPast
        let created = max(now, newest.addingTimeInterval(0.001))
        var key = try SigningKeyFactory.make(algorithm: algorithm, server: server, masterKey: masterKey, now: created)
        // Without a delay the key activates now; among keys activated at one instant the later-created signs.
        key.activatesAt = publishDelay == 0 ? now : created.addingTimeInterval(publishDelay)
        try await stores.keys.addKey(key)
        if var current = states.first(where: { $0.state == .current })?.key {
            current.retiresAt = key.activatesAt.addingTimeInterval(TimeInterval(record.accessTokenTTL) + 60)
            try await stores.keys.updateKey(current)
        }
        return key
    }

    /// Removes a key from the JWKS at once: tokens it signed stop verifying. The current key cannot be
    /// retired (nothing would sign); a next key can (the rotation is called off).
    public func retireKey(server: String, kid: String) async throws {
        _ = try await requireServer(server)
        let states = KeyState.of(try await stores.keys.keys(server: server), at: clock.now)
        let published = states.filter { $0.state != .retired }
        guard var key = published.first(where: { $0.key.kid == kid }) else {
            throw AdminError("server \(quoted(server)) has no published key \(quoted(kid)); its keys: [\(published.map { "\($0.key.kid) (\($0.state.rawValue))" }.joined(separator: ", "))]")
        }
        guard key.state != .current else {
            throw AdminError("key \(quoted(kid)) is the current signing key of server \(server); retiring it would leave nothing to sign with — rotate first (`tessera keys rotate --server \(server)`)")
        }
        key.key.active = false
        try await stores.keys.updateKey(key.key)
    }

    /// A server's keys with their state now, newest first.
    public func keys(server: String) async throws -> [(key: SigningKey, state: KeyState)] {
        _ = try await requireServer(server)
        return KeyState.of(try await stores.keys.keys(server: server), at: clock.now)
    }

    /// Creates the server `default` if the deployment has none (first start).
    public func bootstrapDefaultServer() async throws -> Bool {
        if try await stores.servers.server(named: "default") != nil { return false }
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
            throw AdminError("scope name \(quoted(name)) must be printable ASCII without spaces, quotes or backslashes")
        }
        let scope = Scope(server: server, name: name, description: description)
        try await stores.scopes.createScope(scope)
        return scope
    }

    /// A new client and, for secret methods, its secret (shown once, stored only hashed/encrypted).
    public struct CreatedClient: Sendable {
        public var client: Client
        public var secret: String?
    }

    public func createClient(server: String, name: String, method: ClientAuthMethod, jwks: String? = nil, jwksURI: String? = nil,
                             scopes: [String] = [], claims: [String: JSONValue] = [:], introspects: [String] = []) async throws -> CreatedClient {
        let serverRecord = try await requireServer(server)
        for resource in introspects where !serverRecord.audiences.contains(resource) {
            throw AdminError("--introspects \(quoted(resource)) is not an audience of server \(quoted(server)); its audiences are [\(serverRecord.audiences.joined(separator: ", "))]")
        }
        let defined = Set(try await stores.scopes.scopes(server: server).map(\.name))
        for scope in scopes where !defined.contains(scope) {
            throw AdminError("scope \(quoted(scope)) is not defined on server \(quoted(server)); create it with `tessera scopes create --server \(server) \(scope)`")
        }
        try Self.checkCustomClaims(claims)
        if method == .privateKeyJWT {
            guard (jwks == nil) != (jwksURI == nil) else {
                throw AdminError("private_key_jwt needs exactly one of --jwks-file or --jwks-uri")
            }
            if let jwks { try Self.checkJWKS(jwks) }
            if let jwksURI, !(jwksURI.hasPrefix("https://") || jwksURI.hasPrefix("http://")) {
                throw AdminError("--jwks-uri must be an http(s) URL; got \(quoted(jwksURI))")
            }
        } else if jwks != nil || jwksURI != nil {
            throw AdminError("--jwks-file and --jwks-uri apply only to private_key_jwt clients")
        }
        var client = Client(id: SecureRandom.identifier(prefix: "0oa"), server: server, name: name, authMethod: method,
                            jwks: jwks, jwksURI: jwksURI, scopes: scopes.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } },
                            claims: claims, introspectableResources: introspects, createdAt: clock.now)
        let secret = try applyNewSecret(to: &client)
        try await stores.clients.createClient(client)
        return CreatedClient(client: client, secret: secret)
    }

    /// The overlap `rotateSecret` gives old secrets unless told otherwise.
    public static let defaultSecretOverlap: TimeInterval = 86_400

    /// Adds a new secret; the client's other valid secrets keep working for `keepOldFor` seconds more
    /// (0: they stop at once), so services can move over without an outage. Secrets that expired more
    /// than a week ago are dropped.
    public func rotateSecret(clientID: String, keepOldFor: TimeInterval = Administration.defaultSecretOverlap) async throws -> CreatedClient {
        var client = try await requireClient(clientID)
        guard client.authMethod.usesSecret else {
            throw AdminError("client \(clientID) authenticates with \(client.authMethod.rawValue), which has no secret")
        }
        guard keepOldFor >= 0 else { throw AdminError("--keep-old-for must not be negative") }
        let now = clock.now
        let until = now.addingTimeInterval(keepOldFor)
        var kept: [ClientSecretEntry] = []
        for var entry in client.secrets {
            if entry.isValid(at: now) {
                guard keepOldFor > 0 else { continue }  // --keep-old-for 0: the old secrets stop at once
                entry.expiresAt = min(entry.expiresAt ?? until, until)
                kept.append(entry)
            } else if let expired = entry.expiresAt, now.timeIntervalSince(expired) < 7 * 86_400 {
                kept.append(entry)  // recently expired: kept so that a late use is told it expired
            }
        }
        client.secrets = kept
        let secret = try applyNewSecret(to: &client)
        try await stores.clients.updateClient(client)
        return CreatedClient(client: client, secret: secret)
    }

    /// Ends one secret of a client at once. Refused for the client's only valid secret (it could not
    /// authenticate any more; rotate first) and for an id the client does not have.
    public func revokeSecret(clientID: String, secretID: String) async throws -> Client {
        var client = try await requireClient(clientID)
        let now = clock.now
        guard let entry = client.secrets.first(where: { $0.id == secretID }) else {
            let known = client.secrets.map(\.id).joined(separator: ", ")
            throw AdminError("client \(clientID) has no secret \(quoted(secretID)); its secrets: [\(known)] (`tessera clients secrets \(clientID)`)")
        }
        if entry.isValid(at: now), client.secrets.filter({ $0.isValid(at: now) }).count == 1 {
            throw AdminError("secret \(secretID) is the only valid secret of client \(clientID); revoking it would lock the client out — rotate the secret first")
        }
        client.secrets.removeAll { $0.id == secretID }
        try await stores.clients.updateClient(client)
        return client
    }

    /// A client's secrets with when each last authenticated (never the secrets themselves).
    public func secrets(clientID: String) async throws -> [(entry: ClientSecretEntry, lastUsed: Date?)] {
        let client = try await requireClient(clientID)
        let uses = try await stores.clients.secretUses(clientID: clientID)
        return client.secrets.map { ($0, uses[$0.id]) }
    }

    /// Replaces a private_key_jwt client's inline keys; the replaced keys keep verifying assertions for
    /// `keepOldFor` seconds (0: not at all), so services can move to the new key without an outage.
    /// Only the set just replaced is kept: a second update within the overlap ends the first set.
    public func replaceJWKS(clientID: String, jwks: String, keepOldFor: TimeInterval = Administration.defaultSecretOverlap) async throws -> Client {
        var client = try await requireClient(clientID)
        guard client.authMethod == .privateKeyJWT else {
            throw AdminError("client \(clientID) authenticates with \(client.authMethod.rawValue); --jwks-file applies to private_key_jwt clients")
        }
        guard client.jwksURI == nil, let old = client.jwks else {
            throw AdminError("client \(clientID) publishes its keys at \(client.jwksURI ?? "its jwks_uri"); rotate them there (Tessera refetches on an unknown kid)")
        }
        guard keepOldFor >= 0 else { throw AdminError("--keep-old-for must not be negative") }
        try Self.checkJWKS(jwks)
        client.jwks = jwks
        client.previousJWKS = keepOldFor > 0 ? old : nil
        client.previousJWKSExpiresAt = keepOldFor > 0 ? clock.now.addingTimeInterval(keepOldFor) : nil
        try await stores.clients.updateClient(client)
        return client
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
            throw AdminError("no authorization server named \(quoted(name)); `tessera servers list` shows them")
        }
        return server
    }

    public func requireClient(_ id: String) async throws -> Client {
        guard let client = try await stores.clients.client(id: id) else {
            throw AdminError("no client with id \(quoted(id))")
        }
        return client
    }

    private func applyNewSecret(to client: inout Client) throws -> String? {
        guard client.authMethod.usesSecret else { return nil }
        let secret = ClientSecret.generate()
        let sealed = client.authMethod == .clientSecretJWT ? try masterKey.seal(Data(secret.plaintext.utf8)) : nil
        client.secrets.insert(ClientSecretEntry(id: SecureRandom.identifier(prefix: "sec_", length: 12), hash: secret.hash, encrypted: sealed, createdAt: clock.now), at: 0)
        return secret.plaintext
    }

    static func checkCustomClaims(_ claims: [String: JSONValue]) throws {
        if let reserved = claims.keys.sorted().first(where: AccessTokenIssuer.reservedClaims.contains) {
            throw AdminError("claim \(quoted(reserved)) is set by the server and cannot be customised")
        }
    }

    /// Accepts a JWKS document whose keys are public, usable for signatures, and carry a kid.
    static func checkJWKS(_ text: String) throws {
        guard let jwks = try? JSONDecoder().decode(JWKS.self, from: Data(text.utf8)), !jwks.keys.isEmpty else {
            throw AdminError("the JWKS file must be a JSON document {\"keys\":[…]} with at least one key")
        }
        for key in jwks.keys {
            guard key.keyIdentifier != nil || jwks.keys.count == 1 else {
                throw AdminError("every key in a JWKS with several keys needs a kid")
            }
            guard key.privateExponent == nil, !text.contains("\"d\"") else {
                throw AdminError("the JWKS contains private key material (\"d\"); register only the public keys")
            }
            guard [JWK.KeyType.rsa, .ecdsa, .octetKeyPair].contains(key.keyType) else {
                throw AdminError("JWKS key type \(key.keyType.rawValue) is not usable for private_key_jwt; use EC, RSA or OKP keys")
            }
        }
    }
}

/// A rejected admin operation, with the sentence the CLI prints.
public struct AdminError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
