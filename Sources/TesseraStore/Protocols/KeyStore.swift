/// Stores the signing keys of authorization servers.
public protocol KeyStore: Sendable {
    /// Adds a key; throws `StoreError.alreadyExists` when the kid is taken.
    func addKey(_ key: SigningKey) async throws(StoreError)
    /// Replaces a key's status (rotation retires keys); throws `StoreError.notFound` for an unknown kid.
    func updateKey(_ key: SigningKey) async throws(StoreError)
    /// The keys of a server, newest first.
    func keys(server: String) async throws(StoreError) -> [SigningKey]
}
