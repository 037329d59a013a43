import Foundation

/// Where a signing key is in its life at a moment: **next** (published, not yet signing), **current**
/// (signs), **previous** (published, verifies what it signed, no longer signs), **retired** (gone).
public enum KeyState: String, Sendable, CaseIterable {
    case next, current, previous, retired

    /// The state of each of `keys` (one server's) at `now`: of the published keys that have activated,
    /// the one that activated last is current.
    public static func of(_ keys: [SigningKey], at now: Date) -> [(key: SigningKey, state: KeyState)] {
        // Times come back from the database through `timeIntervalSince1970` and may differ from the clock's
        // by a rounding step: a key activated "now" must not read as next.
        let now = now.addingTimeInterval(0.000_01)
        let current = keys.filter { $0.isPublished(at: now) && $0.activatesAt <= now }
            .max { ($0.activatesAt, $0.createdAt, $0.kid) < ($1.activatesAt, $1.createdAt, $1.kid) }
        return keys.map { key in
            guard key.isPublished(at: now) else { return (key, .retired) }
            if key.activatesAt > now { return (key, .next) }
            return (key, key.kid == current?.kid ? .current : .previous)
        }
    }

    /// The next moment after `now` at which a state of `keys` changes (an activation or a retirement), if any.
    public static func nextChange(of keys: [SigningKey], after now: Date) -> Date? {
        keys.flatMap { [$0.activatesAt, $0.retiresAt].compactMap { $0 } }.filter { $0 > now }.min()
    }
}
