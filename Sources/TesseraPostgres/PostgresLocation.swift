import Foundation
import NIOSSL
import PostgresNIO

/// Where the PostgreSQL database is, read from a `postgres://user:password@host:port/database` URL
/// (`--database`, `TESSERA_DATABASE_URL`).
///
/// Query parameters: `sslmode` (`disable`, `prefer` — the default — or `require`) and `pool_size`
/// (connections per node, default 20). The password never appears in `description`, so the location
/// can be logged and put in error messages.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let username: String
    let password: String?
    public let database: String
    public let sslMode: String
    public let poolSize: Int

    /// Whether `text` names a PostgreSQL database (rather than, say, a typo of a file path).
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses the URL; the error says which part is wrong and what was expected.
    public init(url text: String) throws(PostgresLocationError) {
        guard Self.isPostgresURL(text), let url = URLComponents(string: text) else {
            throw PostgresLocationError("the database URL must look like postgres://user:password@host:5432/database")
        }
        guard let host = url.host, !host.isEmpty else {
            throw PostgresLocationError("the database URL names no host; expected postgres://user:password@host:5432/database")
        }
        guard let user = url.user, !user.isEmpty else {
            throw PostgresLocationError("the database URL names no user; expected postgres://user:password@\(host)/database")
        }
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw PostgresLocationError("the database URL names no database; expected postgres://\(user)@\(host)/database")
        }
        var sslMode = "prefer"
        var poolSize = 20
        for item in url.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, ["disable", "prefer", "require"].contains(value) else {
                    throw PostgresLocationError("sslmode must be disable, prefer or require; got \"\(item.value ?? "")\"")
                }
                sslMode = value
            case "pool_size":
                guard let value = item.value.flatMap(Int.init), (1...1000).contains(value) else {
                    throw PostgresLocationError("pool_size must be a number of connections between 1 and 1000; got \"\(item.value ?? "")\"")
                }
                poolSize = value
            default:
                throw PostgresLocationError("unknown database URL parameter \"\(item.name)\"; known: sslmode, pool_size")
            }
        }
        self.host = host
        self.port = url.port ?? 5432
        self.username = user
        self.password = url.password?.removingPercentEncoding ?? url.password
        self.database = database
        self.sslMode = sslMode
        self.poolSize = poolSize
    }

    /// The URL with the password replaced by `***`.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }

    /// The same server and credentials, another database (the tests create one database per test).
    public func with(database: String) -> PostgresLocation {
        PostgresLocation(host: host, port: port, username: username, password: password, database: database, sslMode: sslMode, poolSize: poolSize)
    }

    private init(host: String, port: Int, username: String, password: String?, database: String, sslMode: String, poolSize: Int) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.poolSize = poolSize
    }

    var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "require": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = poolSize
        configuration.options.connectTimeout = .seconds(3)
        return configuration
    }

    /// The same settings for a single connection (the check made at start).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "require": tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(3)
        return configuration
    }
}

/// A database URL that cannot be used, with the reason.
public struct PostgresLocationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
