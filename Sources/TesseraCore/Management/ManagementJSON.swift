import Crypto
import Foundation
import TesseraJSON
import TesseraStore

/// How the management API (and the CLI's `--json`) shows each resource: one function per kind, so
/// both modes print the same thing. Never a secret, a hash or a private key. The `ETag` of a
/// resource is the SHA-256 of this representation, so any change to it changes the tag.
public enum ManagementJSON {
    public static func server(_ server: AuthorizationServer) -> [(String, JSONValue)] {
        let (absolute, idle) = server.refreshLifetimes
        return [
            ("name", .string(server.name)), ("audiences", .array(server.audiences.map(JSONValue.string))),
            ("access_token_ttl", .number(Double(server.accessTokenTTL))), ("claims", .object(server.claims)),
            ("token_format", .string(server.tokenFormat.rawValue)), ("rate_limit", server.rateLimit.map { .string($0.description) } ?? .null),
            ("max_assertion_lifetime", server.maxAssertionLifetime.map { .number(Double($0)) } ?? .null),
            ("key_rotation", server.keyRotation.map { .number(Double($0)) } ?? .null),
            ("refresh_token_lifetime", .number(Double(absolute))), ("refresh_token_idle_lifetime", .number(Double(idle))),
            ("groups_claim", .bool(server.groupsClaim)), ("created_at", time(server.createdAt)),
        ]
    }

    public static func scope(_ scope: Scope) -> [(String, JSONValue)] {
        [("name", .string(scope.name)), ("description", scope.description.map(JSONValue.string) ?? .null)]
    }

    public static func client(_ client: Client) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [
            ("client_id", .string(client.id)), ("name", .string(client.name)), ("server", .string(client.server)),
            ("token_endpoint_auth_method", .string(client.authMethod.rawValue)), ("scopes", .array(client.scopes.map(JSONValue.string))),
            ("enabled", .bool(client.enabled)), ("claims", .object(client.claims)),
            ("rate_limit", client.rateLimit.map { .string($0.description) } ?? .null),
            ("jwks_uri", client.jwksURI.map(JSONValue.string) ?? .null),
            ("jwks", client.jwks.map { .object(JSONValue.decodeObject($0)) } ?? .null),
            ("introspects", .array(client.introspectableResources.map(JSONValue.string))),
            ("grant_types", .array(client.grantTypes.map(JSONValue.string))),
            ("redirect_uris", .array(client.redirectURIs.map(JSONValue.string))),
            ("post_logout_redirect_uris", .array(client.postLogoutRedirectURIs.map(JSONValue.string))),
            ("first_party", .bool(client.firstParty)),
        ]
        members.append(("secrets", .array(client.secrets.map { entry in
            .object(["id": .string(entry.id), "created_at": time(entry.createdAt), "expires_at": entry.expiresAt.map(time) ?? .null])
        })))
        members.append(("created_at", time(client.createdAt)))
        return members
    }

    public static func key(_ key: SigningKey, state: KeyState) -> [(String, JSONValue)] {
        [
            ("kid", .string(key.kid)), ("alg", .string(key.algorithm)), ("state", .string(state.rawValue)),
            ("created_at", time(key.createdAt)), ("activates_at", time(key.activatesAt)), ("retires_at", key.retiresAt.map(time) ?? .null),
            ("public_jwk", .object(JSONValue.decodeObject(key.publicJWK))),
        ]
    }

    public static func event(_ event: Event) -> [(String, JSONValue)] {
        [
            ("id", event.id.map { .number(Double($0)) } ?? .null), ("time", .string(timestamp(event.time))),
            ("request_id", .string(event.requestID)), ("server", event.server.map(JSONValue.string) ?? .null),
            ("endpoint", .string(event.endpoint)), ("client_id", event.clientID.map(JSONValue.string) ?? .null),
            ("outcome", .string(event.outcome.rawValue)), ("reason", event.reason.map(JSONValue.string) ?? .null),
            ("message", .string(event.message)), ("detail", .object(event.detail.mapValues(JSONValue.string))),
            ("remote_address", event.remoteAddress.map(JSONValue.string) ?? .null),
        ]
    }

    public static func user(_ user: User, groups: [String]) -> [(String, JSONValue)] {
        [
            ("id", .string(user.id)), ("username", .string(user.username)), ("display_name", user.displayName.map(JSONValue.string) ?? .null),
            ("email", user.email.map(JSONValue.string) ?? .null), ("email_verified", .bool(user.emailVerified)),
            ("has_password", .bool(user.passwordHash != nil)), ("disabled", .bool(user.disabled)), ("groups", .array(groups.map(JSONValue.string))),
            ("created_at", time(user.createdAt)), ("updated_at", time(user.updatedAt)),
        ]
    }

    /// A sign-in session: its id (`sid` in ID tokens), never the cookie.
    public static func session(sid: String, userID: String, authTime: Date, expiresAt: Date) -> [(String, JSONValue)] {
        [("sid", .string(sid)), ("user_id", .string(userID)), ("auth_time", time(authTime)), ("expires_at", time(expiresAt))]
    }

    public static func group(_ group: UserGroup) -> [(String, JSONValue)] {
        [("name", .string(group.name)), ("members", .array(group.members.map(JSONValue.string)))]
    }

    /// A strong entity tag of a representation: `"` + the first 32 hex digits of its SHA-256 + `"`.
    public static func etag(_ members: [(String, JSONValue)]) -> String {
        let digest = SHA256.hash(data: JSONWriter.object(members))
        return "\"" + digest.prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
    }

    /// Seconds since 1970, as in tokens.
    static func time(_ date: Date) -> JSONValue { .number(Double(date.epochSeconds)) }

    /// RFC 3339 in UTC with milliseconds (events are read by people and sorted by machines).
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
