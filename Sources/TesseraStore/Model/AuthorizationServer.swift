import Foundation
import TesseraJSON

/// One authorization server of the deployment: its own issuer, audiences, scopes, keys and clients.
///
/// A deployment hosts many (an organisation's own plus one per product or environment); the server's
/// `name` is the last path segment of its issuer URL `{public-url}/oauth2/{name}`.
public struct AuthorizationServer: Sendable, Hashable, Codable {
    /// The URL path segment, e.g. `default`.
    public var name: String
    /// Resources (RFC 8707) tokens of this server may be issued for; the first is the default `aud`.
    public var audiences: [String]
    /// Lifetime of access tokens in seconds.
    public var accessTokenTTL: Int
    /// Claims added to every access token of this server.
    public var claims: [String: JSONValue]
    /// How access tokens are represented.
    public var tokenFormat: TokenFormat
    public var createdAt: Date
    /// The limit of each of this server's clients that has none of its own; nil: the deployment's.
    public var rateLimit: RateLimit?
    /// The longest client assertion accepted (`exp` − `iat`), in seconds; nil: the deployment's (3600).
    public var maxAssertionLifetime: Int?
    /// How often a new signing key is announced on its own, in seconds (`servers update --key-rotation`);
    /// nil: only by hand (`tessera keys rotate`).
    public var keyRotation: Int?
    /// The longest a refresh token family lives from the sign-in, in seconds; nil: 30 days.
    public var refreshTokenLifetime: Int?
    /// How long a refresh token stays usable when it is not used, in seconds; nil: 7 days.
    public var refreshTokenIdleLifetime: Int?
    /// Whether tokens and ID tokens of signed-in users carry a `groups` claim (the user's group names).
    public var groupsClaim: Bool

    public init(
        name: String, audiences: [String], accessTokenTTL: Int = 3600,
        claims: [String: JSONValue] = [:], tokenFormat: TokenFormat = .jwt, createdAt: Date,
        rateLimit: RateLimit? = nil, maxAssertionLifetime: Int? = nil, keyRotation: Int? = nil,
        refreshTokenLifetime: Int? = nil, refreshTokenIdleLifetime: Int? = nil, groupsClaim: Bool = false
    ) {
        self.refreshTokenLifetime = refreshTokenLifetime
        self.refreshTokenIdleLifetime = refreshTokenIdleLifetime
        self.groupsClaim = groupsClaim
        self.keyRotation = keyRotation
        self.rateLimit = rateLimit
        self.maxAssertionLifetime = maxAssertionLifetime
        self.name = name
        self.audiences = audiences
        self.accessTokenTTL = accessTokenTTL
        self.claims = claims
        self.tokenFormat = tokenFormat
        self.createdAt = createdAt
    }

    /// The refresh token lifetimes of a server that sets none: 30 days from the sign-in, 7 days idle.
    public static let defaultRefreshLifetimes = (absolute: 30 * 86_400, idle: 7 * 86_400)

    /// The refresh token lifetimes in force: the configured ones or the defaults.
    public var refreshLifetimes: (absolute: Int, idle: Int) {
        (refreshTokenLifetime ?? Self.defaultRefreshLifetimes.absolute, refreshTokenIdleLifetime ?? Self.defaultRefreshLifetimes.idle)
    }

    /// The audience used when a token request names no `resource`.
    public var defaultAudience: String? { audiences.first }

    /// Server names are URL path segments: lowercase letters, digits, `-` and `_`, 1–64 characters.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }
}
