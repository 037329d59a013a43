/// Stores the scopes each authorization server defines.
public protocol ScopeStore: Sendable {
    /// Adds a scope; throws `StoreError.alreadyExists` when the server already defines it.
    func createScope(_ scope: Scope) async throws(StoreError)
    /// The scopes of a server, ordered by name.
    func scopes(server: String) async throws(StoreError) -> [Scope]
}
