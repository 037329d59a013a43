import Foundation
import TesseraJSON
import TesseraStore

/// Reading the management API's representations back into the model, for the CLI's remote mode: it
/// prints what a server answered with the same code that prints what the database holds.
/// Only what the representations carry comes back (no secret hashes, no private keys).
extension ManagementJSON {
    public static func decodeServer(_ object: [String: JSONValue]) -> AuthorizationServer? {
        guard let name = object["name"]?.string, let ttl = object["access_token_ttl"]?.number else { return nil }
        var server = AuthorizationServer(name: name, audiences: object["audiences"]?.strings ?? [], accessTokenTTL: Int(ttl),
                                         claims: object["claims"].flatMap { if case .object(let claims) = $0 { claims } else { nil } } ?? [:],
                                         tokenFormat: TokenFormat(rawValue: object["token_format"]?.string ?? "") ?? .jwt,
                                         createdAt: Date(timeIntervalSince1970: object["created_at"]?.number ?? 0))
        server.rateLimit = RateLimit(stored: object["rate_limit"]?.string)
        server.maxAssertionLifetime = object["max_assertion_lifetime"]?.number.map { Int($0) }
        server.keyRotation = object["key_rotation"]?.number.map { Int($0) }
        server.refreshTokenLifetime = object["refresh_token_lifetime"]?.number.map { Int($0) }
        server.refreshTokenIdleLifetime = object["refresh_token_idle_lifetime"]?.number.map { Int($0) }
        server.groupsClaim = object["groups_claim"]?.bool ?? false
        return server
    }

    public static func decodeClient(_ object: [String: JSONValue]) -> Client? {
        guard let id = object["client_id"]?.string, let server = object["server"]?.string,
              let method = ClientAuthMethod(rawValue: object["token_endpoint_auth_method"]?.string ?? "") else { return nil }
        var client = Client(id: id, server: server, name: object["name"]?.string ?? "", authMethod: method,
                            jwks: object["jwks"].flatMap { if case .object(let jwks) = $0 { JSONValue.encodeObject(jwks) } else { nil } },
                            jwksURI: object["jwks_uri"]?.string, scopes: object["scopes"]?.strings ?? [],
                            claims: object["claims"].flatMap { if case .object(let claims) = $0 { claims } else { nil } } ?? [:],
                            introspectableResources: object["introspects"]?.strings ?? [],
                            createdAt: Date(timeIntervalSince1970: object["created_at"]?.number ?? 0))
        client.enabled = object["enabled"]?.bool ?? true
        client.rateLimit = RateLimit(stored: object["rate_limit"]?.string)
        client.grantTypes = object["grant_types"]?.strings ?? []
        client.redirectURIs = object["redirect_uris"]?.strings ?? []
        client.postLogoutRedirectURIs = object["post_logout_redirect_uris"]?.strings ?? []
        client.firstParty = object["first_party"]?.bool ?? false
        if case .array(let secrets)? = object["secrets"] {
            client.secrets = secrets.compactMap { value in
                guard case .object(let entry) = value, let id = entry["id"]?.string else { return nil }
                return ClientSecretEntry(id: id, hash: Data(), createdAt: Date(timeIntervalSince1970: entry["created_at"]?.number ?? 0),
                                         expiresAt: entry["expires_at"]?.number.map(Date.init(timeIntervalSince1970:)))
            }
        }
        return client
    }

    /// A key's public parts and state (no private key: the representation has none).
    public static func decodeKey(_ object: [String: JSONValue], server: String) -> (key: SigningKey, state: KeyState)? {
        guard let kid = object["kid"]?.string, let state = KeyState(rawValue: object["state"]?.string ?? "") else { return nil }
        let retiresAt = object["retires_at"]?.number.map(Date.init(timeIntervalSince1970:))
        let jwk = object["public_jwk"].flatMap { if case .object(let jwk) = $0 { JSONValue.encodeObject(jwk) } else { nil } } ?? "{}"
        let key = SigningKey(server: server, kid: kid, algorithm: object["alg"]?.string ?? "", encryptedPrivateKey: Data(), publicJWK: jwk,
                             active: !(state == .retired && retiresAt == nil), createdAt: Date(timeIntervalSince1970: object["created_at"]?.number ?? 0),
                             activatesAt: object["activates_at"]?.number.map(Date.init(timeIntervalSince1970:)), retiresAt: retiresAt)
        return (key, state)
    }

    /// A user and its groups. The representation says only whether a password is set, so a user with
    /// one gets a placeholder hash that opens nothing.
    public static func decodeUser(_ object: [String: JSONValue]) -> (user: User, groups: [String])? {
        guard let id = object["id"]?.string, let username = object["username"]?.string else { return nil }
        let user = User(id: id, username: username, displayName: object["display_name"]?.string, email: object["email"]?.string,
                        emailVerified: object["email_verified"]?.bool ?? false, passwordHash: object["has_password"]?.bool == true ? "(set)" : nil,
                        disabled: object["disabled"]?.bool ?? false, createdAt: Date(timeIntervalSince1970: object["created_at"]?.number ?? 0),
                        updatedAt: object["updated_at"]?.number.map(Date.init(timeIntervalSince1970:)))
        return (user, object["groups"]?.strings ?? [])
    }

    /// The usernames of user representations by user id (groups name their members by id).
    public static func usernamesByID(_ users: [[String: JSONValue]]) -> [String: String] {
        Dictionary(users.compactMap { user in user["id"]?.string.map { ($0, user["username"]?.string ?? $0) } }, uniquingKeysWith: { first, _ in first })
    }
}
