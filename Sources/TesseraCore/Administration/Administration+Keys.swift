import Foundation
import TesseraStore

/// Server signing keys: rotation with a publish delay, retirement, their states.
extension Administration {
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
            throw AdminError.conflict("key \(waiting.kid) of server \(server) is already waiting to sign from \(waiting.activatesAt.epochSeconds); "
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
            throw AdminError.notFound("server \(quoted(server)) has no published key \(quoted(kid)); its keys: [\(published.map { "\($0.key.kid) (\($0.state.rawValue))" }.joined(separator: ", "))]")
        }
        guard key.state != .current else {
            throw AdminError.conflict("key \(quoted(kid)) is the current signing key of server \(server); retiring it would leave nothing to sign with — rotate first (`tessera keys rotate --server \(server)`)")
        }
        key.key.active = false
        try await stores.keys.updateKey(key.key)
    }

    /// A server's keys with their state now, newest first.
    public func keys(server: String) async throws -> [(key: SigningKey, state: KeyState)] {
        _ = try await requireServer(server)
        return KeyState.of(try await stores.keys.keys(server: server), at: clock.now)
    }
}
