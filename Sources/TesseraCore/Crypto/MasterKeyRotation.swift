import Foundation
import TesseraStore

/// `tessera master-key rotate`: every private signing key and `client_secret_jwt` secret is opened with
/// the current master key and sealed under a new one in one transaction, with a new check value, so
/// afterwards the old key is refused (`MasterKeyCheck`) and nothing is left sealed under it.
public enum MasterKeyRotation {
    /// Reseals everything from `current` to `new`. Refused, with nothing changed, when `current` is not
    /// the database's key, when `new` is the same key, or when any value does not open.
    public static func rotate(stores: Stores, from current: MasterKey, to new: MasterKey, at now: Date) async throws -> ResealCount {
        try await MasterKeyCheck.verify(current, in: stores.sealed, at: now)
        if let recorded = try await stores.sealed.masterKeyCheck(), MasterKeyCheck.opens(new, recorded) {
            throw MasterKeyError("the new master key is the one the database already uses; give a different key (make one with `tessera master-key`)")
        }
        let check = try new.seal(MasterKeyCheck.plaintext)
        let count = try await stores.sealed.resealAll(check: check, at: now) { box in
            (try? current.open(box)).flatMap { try? new.seal($0) }
        }
        guard let count else {
            throw MasterKeyError("a signing key or client secret in the database does not open with the current master key; nothing was changed")
        }
        return count
    }
}
