import ArgumentParser
import Foundation
import TesseraCore

/// How passwords are hashed and sessions last: `serve` and the `users` commands read the same options
/// (and environment variables), so hashes made by either have the same cost.
struct SignInOptions: ParsableArguments {
    @Option(name: .customLong("password-cost"),
            help: "scrypt cost of new password hashes as log2 N, 10 to 20 (env TESSERA_PASSWORD_COST; default 15: 32 MiB, ~60 ms). Older hashes are raised at the next sign-in.")
    var passwordCost: Int?
    @Option(name: .customLong("session-lifetime"), help: "How long a browser stays signed in, e.g. 12h (env TESSERA_SESSION_LIFETIME; default 12h).")
    var sessionLifetime: String?
    @Option(name: .customLong("product-name"), help: "The name shown on the sign-in pages (env TESSERA_PRODUCT_NAME; default Tessera).")
    var productName: String?

    func passwordParameters(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PasswordHasher.Parameters {
        let text = passwordCost.map(String.init) ?? environment["TESSERA_PASSWORD_COST"]
        guard let text else { return .standard }
        guard let cost = Int(text), (10...20).contains(cost) else {
            throw ValidationError("--password-cost must be a whole number from 10 to 20 (log2 of scrypt's N); got \(text.debugDescription)")
        }
        return PasswordHasher.Parameters(logRounds: cost, blockSize: 8, parallelism: 1)
    }

    func session(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TimeInterval {
        guard let text = sessionLifetime ?? environment["TESSERA_SESSION_LIFETIME"] else { return 12 * 3600 }
        guard let duration = DurationOption.parse(text), duration >= .seconds(60) else {
            throw ValidationError("--session-lifetime must be a duration of at least a minute, e.g. 12h or 30m; got \(text.debugDescription)")
        }
        return TimeInterval(duration.components.seconds)
    }

    func product(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        productName ?? environment["TESSERA_PRODUCT_NAME"] ?? "Tessera"
    }

    func hasher() throws -> PasswordHasher { PasswordHasher(parameters: try passwordParameters()) }
}
