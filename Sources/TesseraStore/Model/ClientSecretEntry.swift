import Foundation
import TesseraJSON

/// One secret of a client, never in clear: its SHA-256 (`hash`), for `client_secret_jwt` also the secret
/// sealed under the master key (`encrypted`, HMAC needs the secret itself). A client holds several while
/// a rotation overlaps: the new one without expiry, the old ones until `expiresAt`.
public struct ClientSecretEntry: Sendable, Hashable, Codable {
    /// Names the secret in events, `clients secrets` and `revoke-secret` (`sec_` and 12 characters).
    public var id: String
    public var hash: Data
    public var encrypted: Data?
    public var createdAt: Date
    /// After this the secret no longer authenticates; nil: until revoked or rotated away.
    public var expiresAt: Date?

    public init(id: String, hash: Data, encrypted: Data? = nil, createdAt: Date, expiresAt: Date? = nil) {
        self.id = id
        self.hash = hash
        self.encrypted = encrypted
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// Whether the secret authenticates at `now`.
    public func isValid(at now: Date) -> Bool {
        expiresAt.map { now < $0 } ?? true
    }

    /// The entry as a JSON object (stored in the `secrets` column): bytes as lowercase hex, times as
    /// seconds since 1970.
    public var json: JSONValue {
        var members: [String: JSONValue] = ["id": .string(id), "hash": .string(Hex.encode(hash)), "created": .number(createdAt.timeIntervalSince1970)]
        if let encrypted { members["encrypted"] = .string(Hex.encode(encrypted)) }
        if let expiresAt { members["expires"] = .number(expiresAt.timeIntervalSince1970) }
        return .object(members)
    }

    /// An entry written by `json`; nil for anything else.
    public init?(json value: JSONValue) {
        guard case .object(let members) = value, let id = members["id"]?.string, let hash = members["hash"]?.string.flatMap(Hex.decode),
              let created = members["created"]?.number else { return nil }
        self.init(id: id, hash: hash, encrypted: members["encrypted"]?.string.flatMap(Hex.decode),
                  createdAt: Date(timeIntervalSince1970: created), expiresAt: members["expires"]?.number.map(Date.init(timeIntervalSince1970:)))
    }
}
