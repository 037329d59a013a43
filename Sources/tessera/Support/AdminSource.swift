/// Where one admin command reads and writes: a running server's management API (`--server-url`,
/// `--profile`, the environment) or the database. Resolved once per command, so a command that reads
/// twice opens the database once and reuses one connection (and its cached tokens).
enum AdminSource {
    case api(RemoteAdmin)
    case database(OpenedData)

    static func open(data: DataOptions, remote: RemoteOptions) async throws -> AdminSource {
        if let api = try remote.connection() { return .api(api) }
        return .database(try await data.open())
    }
}
