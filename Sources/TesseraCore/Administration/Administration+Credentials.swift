import Foundation
import TesseraStore

/// Client credentials that rotate: several secrets with an overlap, and replaced inline keys.
extension Administration {
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
        try await Self.checkJWKS(jwks)
        client.jwks = jwks
        client.previousJWKS = keepOldFor > 0 ? old : nil
        client.previousJWKSExpiresAt = keepOldFor > 0 ? clock.now.addingTimeInterval(keepOldFor) : nil
        try await stores.clients.updateClient(client)
        return client
    }
}
