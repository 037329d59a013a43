/// Stores the scopes each authorization server defines.
public protocol ScopeStore: Sendable {
    /// Adds a scope; throws `StoreError.alreadyExists` when the server already defines it.
    func createScope(_ scope: Scope) async throws(StoreError)
    /// Replaces a scope's description; throws `StoreError.notFound` when the server does not define it.
    func updateScope(_ scope: Scope) async throws(StoreError)
    /// Removes a scope; throws `StoreError.notFound` when the server does not define it.
    func deleteScope(server: String, name: String) async throws(StoreError)
    /// The scopes of a server, ordered by name.
    func scopes(server: String) async throws(StoreError) -> [Scope]
}
