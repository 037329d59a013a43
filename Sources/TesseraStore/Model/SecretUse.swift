import Foundation

/// That a client secret authenticated at a time: what `clients secrets` shows as its last use. Written in
/// batches off the request path (`ClientStore.recordSecretUses`), at most once a minute per secret.
public struct SecretUse: Sendable, Hashable {
    public var clientID: String
    public var secretID: String
    public var at: Date

    public init(clientID: String, secretID: String, at: Date) {
        self.clientID = clientID
        self.secretID = secretID
        self.at = at
    }

    /// One use per secret, the latest, ordered by client and secret (a batch's rows in key order share
    /// pages; PostgreSQL refuses a statement that upserts one row twice).
    public static func latestPerSecret(_ uses: [SecretUse]) -> [SecretUse] {
        var latest: [String: SecretUse] = [:]
        for use in uses {
            let key = use.clientID + "\u{0}" + use.secretID
            if let known = latest[key], known.at >= use.at { continue }
            latest[key] = use
        }
        return latest.values.sorted { ($0.clientID, $0.secretID) < ($1.clientID, $1.secretID) }
    }
}
