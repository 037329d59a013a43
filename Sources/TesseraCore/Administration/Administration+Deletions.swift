import TesseraStore

/// Removing servers and scopes (clients: `deleteClient` in `Administration+Changes.swift`): the API's
/// DELETE routes, `tessera servers delete`, `scopes delete` and `tessera apply --prune` use these, so
/// every mode refuses the same things with the same sentences.
extension Administration {
    /// Deletes a server with its scopes and signing keys (tokens it issued stop verifying: their keys are
    /// gone). Refused for the built-in `system` and while clients are registered on the server.
    public func deleteServer(name: String) async throws {
        guard name != SystemServer.name else {
            throw AdminError.conflict("the built-in server system cannot be deleted: the management API lives on it")
        }
        _ = try await requireServer(name)
        guard try await stores.servers.deleteServer(name: name) else {
            let count = try await stores.clients.listClients(server: name).count
            throw AdminError.conflict("server \(quoted(name)) still has \(count) client\(count == 1 ? "" : "s"); delete them first "
                                      + "(`tessera clients list --server \(name)`)")
        }
    }

    /// Changes a scope's description (nil removes it).
    @discardableResult
    public func updateScope(server: String, name: String, description: String?) async throws -> Scope {
        _ = try await requireScope(server: server, name: name)
        let scope = Scope(server: server, name: name, description: description)
        try await stores.scopes.updateScope(scope)
        return scope
    }

    /// Deletes a scope no client of its server holds any more. The management scopes of `system` stay.
    public func deleteScope(server: String, name: String) async throws {
        _ = try await requireScope(server: server, name: name)
        guard !(server == SystemServer.name && name.hasPrefix(SystemServer.reservedScopePrefix)) else {
            throw AdminError.conflict("scope \(quoted(name)) is a built-in management scope of the server system and cannot be deleted")
        }
        let holders = try await stores.clients.listClients(server: server).filter { $0.scopes.contains(name) }.map(\.id)
        guard holders.isEmpty else {
            throw AdminError.conflict("scope \(quoted(name)) is still granted to client\(holders.count == 1 ? "" : "s") "
                                      + "\(holders.prefix(5).joined(separator: ", "))\(holders.count > 5 ? " and \(holders.count - 5) more" : ""); "
                                      + "remove it from their scopes first")
        }
        try await stores.scopes.deleteScope(server: server, name: name)
    }

    public func requireScope(server: String, name: String) async throws -> Scope {
        _ = try await requireServer(server)
        guard let scope = try await stores.scopes.scopes(server: server).first(where: { $0.name == name }) else {
            throw AdminError.notFound("scope \(quoted(name)) is not defined on server \(quoted(server))")
        }
        return scope
    }
}
