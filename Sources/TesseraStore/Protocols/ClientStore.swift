import Foundation

/// Stores registered clients.
public protocol ClientStore: Sendable {
    /// Adds a client; throws `StoreError.alreadyExists` when the id is taken.
    func createClient(_ client: Client) async throws(StoreError)
    /// Replaces a client (enable/disable, new secret); throws `StoreError.notFound` for an unknown id.
    func updateClient(_ client: Client) async throws(StoreError)
    /// Removes a client; throws `StoreError.notFound` for an unknown id.
    func deleteClient(id: String) async throws(StoreError)
    /// The client with this id (of any server), or nil.
    func client(id: String) async throws(StoreError) -> Client?
    /// The clients of one server, ordered by creation time.
    func listClients(server: String) async throws(StoreError) -> [Client]
    /// Notes when secrets authenticated, a batch at a time, keeping the latest time of each secret (kept
    /// apart from the client row: writing it is no configuration change, so no cache anywhere is dropped
    /// for it). Batched because 10,000 clients write 10,000 uses a minute.
    func recordSecretUses(_ uses: [SecretUse]) async throws(StoreError)
    /// When each secret of `clientID` last authenticated, by secret id (secrets never used are absent).
    func secretUses(clientID: String) async throws(StoreError) -> [String: Date]
}
