import Foundation
import Hummingbird
import Logging
import TesseraCore
import TesseraHTTP

/// Runs a test deployment's server (router, connection guard, timeouts) on a real loopback socket, for
/// clients that speak real HTTP. The deployment's public URL is the socket's address.
enum LiveServer {
    static func with<T>(timeouts: ConnectionTimeouts = ConnectionTimeouts(), rateLimits: RateLimitPolicy = .unlimited, trustedProxies: [IPNetwork] = [],
                        _ body: (TestDeployment, String) async throws -> T) async throws -> T {
        let port = CLIProcess.freePort()
        let base = "http://127.0.0.1:\(port)"
        return try await TestDeployment.with(publicURL: base, rateLimits: rateLimits, trustedProxies: trustedProxies) { deployment in
            var logger = Logger(label: "tessera.live-test")
            logger.logLevel = .critical
            let app = TesseraApplication.application(runtime: deployment.runtime, host: "127.0.0.1", port: port, logger: logger, timeouts: timeouts)
            let server = Task { try await app.runService(gracefulShutdownSignals: []) }
            defer { server.cancel() }
            for _ in 0..<100 {
                if await ServeProcessTests.get(base + "/healthz")?.0 == 200 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            let result = try await body(deployment, base)
            server.cancel()
            _ = await server.result
            return result
        }
    }
}

/// An admin client of `system` for the CLI's remote mode against a live server: its id, the key file
/// written into the deployment's directory, and the arguments that name both.
struct RemoteAdminClient {
    let id: String
    let keyFile: URL
    let arguments: [String]

    static func bootstrap(_ deployment: TestDeployment, base: String, name: String = "cli") async throws -> RemoteAdminClient {
        let key = try ClientKeyPair.generate(.es256)
        let admin = try await deployment.admin.bootstrapAdminClient(name: name, jwks: key.jwksDocument(), force: false)
        let keyFile = deployment.directory.appendingPathComponent("admin.key")
        try Data(key.privateKeyPEM.utf8).write(to: keyFile)
        return RemoteAdminClient(id: admin.id, keyFile: keyFile, arguments: ["--server-url", base, "--client-id", admin.id, "--private-key", keyFile.path])
    }
}
