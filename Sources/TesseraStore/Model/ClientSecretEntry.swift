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
        var members: [String: JSONValue] = ["id": .string(id), "hash": .string(Self.hex(hash)), "created": .number(createdAt.timeIntervalSince1970)]
        if let encrypted { members["encrypted"] = .string(Self.hex(encrypted)) }
        if let expiresAt { members["expires"] = .number(expiresAt.timeIntervalSince1970) }
        return .object(members)
    }

    /// An entry written by `json`; nil for anything else.
    public init?(json value: JSONValue) {
        guard case .object(let members) = value, let id = members["id"]?.string, let hash = members["hash"]?.string.flatMap(Self.bytes),
              let created = members["created"]?.number else { return nil }
        self.init(id: id, hash: hash, encrypted: members["encrypted"]?.string.flatMap(Self.bytes),
                  createdAt: Date(timeIntervalSince1970: created), expiresAt: members["expires"]?.number.map(Date.init(timeIntervalSince1970:)))
    }

    static func hex(_ data: Data) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(data.count * 2)
        for byte in data { out += [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]] }
        return String(decoding: out, as: UTF8.self)
    }

    static func bytes(_ hex: String) -> Data? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out = Data(capacity: digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = Self.value(digits[index]), let low = Self.value(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
