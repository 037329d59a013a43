/// Stores the authorization servers of the deployment.
public protocol ServerStore: Sendable {
    /// Adds a server; throws `StoreError.alreadyExists` when the name is taken.
    func createServer(_ server: AuthorizationServer) async throws(StoreError)
    /// Replaces a server's settings; throws `StoreError.notFound` for an unknown name.
    func updateServer(_ server: AuthorizationServer) async throws(StoreError)
    /// The server with this name, or nil.
    func server(named name: String) async throws(StoreError) -> AuthorizationServer?
    /// All servers, ordered by name.
    func listServers() async throws(StoreError) -> [AuthorizationServer]
    /// The servers with a key rotation schedule, ordered by name: the scheduled rotation reads these
    /// every minute on every node, so a deployment of many servers without schedules costs it nothing.
    func serversWithKeyRotation() async throws(StoreError) -> [AuthorizationServer]
    /// Whether a server other than the one named exists: every node and admin command asks it at start
    /// (is the deployment empty apart from `system`?), so it reads one row, not every server.
    func hasServer(otherThan name: String) async throws(StoreError) -> Bool
    /// Removes a server with its scopes and signing keys in one transaction, only while no client is
    /// registered on it: throws `StoreError.notFound` for an unknown name and returns false (nothing
    /// removed) when the server still has clients.
    func deleteServer(name: String) async throws(StoreError) -> Bool
}
