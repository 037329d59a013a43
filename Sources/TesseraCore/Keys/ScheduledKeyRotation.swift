import Foundation
import TesseraStore

/// Rotates the signing keys of servers that have a rotation interval (`servers update --key-rotation`)
/// when they are due, on one node of several: whichever holds the `key-rotation` lease in the
/// database. Every node runs it about once a minute; the lease keeps two nodes from announcing two keys
/// for one rotation, and a node that stops holding it (crashed, shut down) is replaced once it expires.
///
/// A rotation is the announced one of `tessera keys rotate`: the new key is published at once and signs
/// after the publish delay, so it takes over `interval` after the current key did.
public struct ScheduledKeyRotation: Sendable {
    public static let leaseName = "key-rotation"
    let administration: Administration
    /// Names this node in the lease (host, process and a random part).
    public let holder: String
    /// How long a taken lease lasts; a node renews it on each run, so it must exceed the run interval.
    let leaseDuration: TimeInterval
    let publishDelay: TimeInterval

    public init(administration: Administration, holder: String, leaseDuration: TimeInterval = 180,
                publishDelay: TimeInterval = Administration.defaultPublishDelay) {
        self.administration = administration
        self.holder = holder
        self.leaseDuration = leaseDuration
        self.publishDelay = publishDelay
    }

    /// A key rotation this run started.
    public struct Rotation: Sendable {
        public let server: String
        public let key: SigningKey
        /// The key the new one replaces once it signs.
        public let replacing: String?
    }

    /// Rotates every due server's key when this node holds (or gets) the lease; returns what it did.
    /// Nothing happens on a node without the lease, nor while a server's next key waits to sign.
    public func runOnce() async throws -> [Rotation] {
        let stores = administration.stores
        let now = administration.clock.now
        let servers = try await stores.servers.serversWithKeyRotation()
        guard !servers.isEmpty else { return [] }
        guard try await stores.leases.acquireLease(Self.leaseName, holder: holder, until: now.addingTimeInterval(leaseDuration), now: now) else {
            return []
        }
        var done: [Rotation] = []
        for server in servers {
            let states = KeyState.of(try await stores.keys.keys(server: server.name), at: now)
            // Times read back from the database may be a rounding step later than written.
            guard let due = Self.dueAt(server: server, keys: states, publishDelay: publishDelay), due <= now.addingTimeInterval(0.001) else { continue }
            // A node started with a replaced master key must not seal a key the others cannot open.
            try await MasterKeyCheck.verify(administration.masterKey, in: stores.sealed, at: now)
            let current = states.first { $0.state == .current }?.key
            let key = try await administration.rotateKey(server: server.name, algorithm: current?.algorithm ?? "ES256", publishDelay: publishDelay)
            done.append(Rotation(server: server.name, key: key, replacing: current?.kid))
            try await stores.events.appendEvents([Self.event(for: done[done.count - 1], at: now)])
        }
        return done
    }

    /// When the scheduled rotation of `server` should announce its next key: `interval` after the
    /// current key started signing, less the publish delay. Nil without an interval, while a next key
    /// is waiting, or without a current key.
    public static func dueAt(server: AuthorizationServer, keys: [(key: SigningKey, state: KeyState)],
                             publishDelay: TimeInterval = Administration.defaultPublishDelay) -> Date? {
        guard let interval = server.keyRotation, !keys.contains(where: { $0.state == .next }),
              let current = keys.first(where: { $0.state == .current })?.key else { return nil }
        return current.activatesAt.addingTimeInterval(TimeInterval(interval) - publishDelay)
    }

    static func event(for rotation: Rotation, at now: Date) -> Event {
        var detail = ["kid": rotation.key.kid, "alg": rotation.key.algorithm, "signs_from": String(rotation.key.activatesAt.epochSeconds)]
        if let replacing = rotation.replacing { detail["replaces"] = replacing }
        return Event(time: now, requestID: TimeOrderedID.next(now: now), server: rotation.server, endpoint: "key-rotation", clientID: nil,
                     outcome: .success, reason: nil,
                     message: "scheduled rotation: key \(rotation.key.kid) (\(rotation.key.algorithm)) published, signs from "
                        + "\(rotation.key.activatesAt.epochSeconds)" + (rotation.replacing.map { "; key \($0) becomes previous then" } ?? ""),
                     detail: detail)
    }
}
