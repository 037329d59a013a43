import Foundation
import TesseraStore

/// Stops a node or an admin command that was started with the wrong master key — another deployment's,
/// or the one `tessera master-key rotate` replaced — before it fails to sign, or writes new keys the
/// rest of the deployment cannot open. The database holds a value sealed under its key; opening it is
/// the test.
public enum MasterKeyCheck {
    static let plaintext = Data("tessera master key check".utf8)

    /// Whether `key` opens the database's check value, recording one first when there is none yet (a
    /// new database, or one from before the check existed: then `key` must open a signing key first).
    public static func verify(_ key: MasterKey, in store: any SealedDataStore, at now: Date) async throws {
        if let recorded = try await store.masterKeyCheck() {
            guard opens(key, recorded) else { throw refusal(recorded) }
            return
        }
        if let sample = try await store.sealedSample(), (try? key.open(sample)) == nil {
            throw MasterKeyError("the master key does not open this database's signing keys; start with the key the database was created with "
                                 + "(TESSERA_MASTER_KEY or master.key in the data directory)")
        }
        // Two nodes may record at once: the check that won is the one to pass.
        let recorded = try await store.recordMasterKeyCheck(try key.seal(plaintext), at: now)
        guard opens(key, recorded) else { throw refusal(recorded) }
    }

    static func opens(_ key: MasterKey, _ record: MasterKeyCheckRecord) -> Bool {
        (try? key.open(record.sealed)) == plaintext
    }

    static func refusal(_ record: MasterKeyCheckRecord) -> MasterKeyError {
        MasterKeyError("the master key does not open this database's keys: they are sealed under the key set at "
                       + "\(ISO8601DateFormatter().string(from: record.changedAt)) (by the first start or `tessera master-key rotate`); "
                       + "start with that key (TESSERA_MASTER_KEY or master.key in the data directory)")
    }
}
