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
}
