import Foundation

/// Everything sealed under the master key — the private signing keys and the `client_secret_jwt`
/// secrets — as one set, for `tessera master-key rotate`, and the check value that tells a node started
/// with another key that it has the wrong one.
public protocol SealedDataStore: Sendable {
    /// The check value sealed under the database's master key, or nil before one was recorded.
    func masterKeyCheck() async throws(StoreError) -> MasterKeyCheckRecord?
    /// Records `sealed` as the check value unless one is recorded already; returns the one recorded.
    func recordMasterKeyCheck(_ sealed: Data, at time: Date) async throws(StoreError) -> MasterKeyCheckRecord
    /// One sealed value of the database (a private signing key), to try a key on before a check exists.
    func sealedSample() async throws(StoreError) -> Data?
    /// Replaces every sealed value `v` with `reseal(v)` and the check value with `check`, in one
    /// transaction. When `reseal` gives nil for any value (it does not open), nothing changes and the
    /// answer is nil.
    func resealAll(check: Data, at time: Date, _ reseal: @escaping @Sendable (Data) -> Data?) async throws(StoreError) -> ResealCount?
}

/// The master key check as stored: the sealed value and when it was last replaced.
public struct MasterKeyCheckRecord: Sendable, Hashable {
    public var sealed: Data
    public var changedAt: Date

    public init(sealed: Data, changedAt: Date) {
        self.sealed = sealed
        self.changedAt = changedAt
    }
}

/// What `SealedDataStore.resealAll` rewrote.
public struct ResealCount: Sendable, Hashable {
    public var signingKeys: Int
    public var clientSecrets: Int

    public init(signingKeys: Int, clientSecrets: Int) {
        self.signingKeys = signingKeys
        self.clientSecrets = clientSecrets
    }
}

extension Array where Element == ClientSecretEntry {
    /// The entries with each sealed secret (`client_secret_jwt`) passed through `reseal`, and how many
    /// there were; nil when one did not open. Every backend's `resealAll` rewrites a client with it.
    public func resealed(_ reseal: (Data) -> Data?) -> (entries: [ClientSecretEntry], count: Int)? {
        var entries = self
        var count = 0
        for index in entries.indices {
            guard let sealed = entries[index].encrypted else { continue }
            guard let box = reseal(sealed) else { return nil }
            entries[index].encrypted = box
            count += 1
        }
        return (entries, count)
    }
}
