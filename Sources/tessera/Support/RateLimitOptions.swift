import ArgumentParser
import Foundation
import TesseraCore
import TesseraHTTP
import TesseraStore

/// `tessera serve`'s rate-limit, lockout and proxy options (docs/configuration.md, docs/security.md).
struct RateLimitOptions: ParsableArguments {
    @Option(name: .customLong("rate-limit-client"),
            help: "Requests per client on token, introspection and revocation, e.g. 500/s, 600/min, or none; servers and clients may set their own (env TESSERA_RATE_LIMIT_CLIENT; default 500/s).")
    var perClient: String?
    @Option(name: .customLong("rate-limit-address"),
            help: "Requests per caller address, whatever it authenticates as, e.g. 2000/s or none (env TESSERA_RATE_LIMIT_ADDRESS; default 2000/s).")
    var perAddress: String?
    @Option(name: .customLong("lockout-after"),
            help: "Failed authentications of one client id from one address within 5 minutes that lock that pair; 0 turns lockout off (env TESSERA_LOCKOUT_AFTER; default 20).")
    var lockoutAfter: String?
    @Option(name: .customLong("lockout-for"),
            help: "The first lock, e.g. 60s; each further lock of the pair doubles it, up to 15 minutes (env TESSERA_LOCKOUT_FOR; default 60s).")
    var lockoutFor: String?
    @Option(name: .customLong("trusted-proxy"),
            help: "A proxy (address or CIDR, repeatable) whose X-Forwarded-For/Forwarded names the caller (env TESSERA_TRUSTED_PROXIES, comma-separated).")
    var trustedProxies: [String] = []

    /// The policy the options describe, or a `ValidationError` naming the option and what it expects.
    func policy(environment: [String: String]) throws -> RateLimitPolicy {
        var policy = RateLimitPolicy()
        policy.perClient = try Self.limit(perClient ?? environment["TESSERA_RATE_LIMIT_CLIENT"], option: "--rate-limit-client", default: policy.perClient)
        policy.perAddress = try Self.limit(perAddress ?? environment["TESSERA_RATE_LIMIT_ADDRESS"], option: "--rate-limit-address", default: policy.perAddress)
        if let text = lockoutAfter ?? environment["TESSERA_LOCKOUT_AFTER"] {
            guard let count = Int(text), (0...1_000_000).contains(count) else {
                throw ValidationError("--lockout-after must be a number of failed authentications from 0 (off) to 1000000; got \(text.debugDescription)")
            }
            policy.lockoutThreshold = count
        }
        if let text = lockoutFor ?? environment["TESSERA_LOCKOUT_FOR"] {
            guard let duration = DurationOption.parse(text), duration <= .seconds(86_400) else {
                throw ValidationError("--lockout-for must be a number with a unit s, m or h up to 1 day (e.g. 60s); got \(text.debugDescription)")
            }
            policy.lockoutDuration = Double(duration.components.seconds)
            policy.maximumLockout = max(policy.maximumLockout, policy.lockoutDuration)
        }
        return policy
    }

    /// The trusted proxies, or a `ValidationError` naming the one that does not parse.
    func proxies(environment: [String: String]) throws -> [IPNetwork] {
        let given = trustedProxies + (environment["TESSERA_TRUSTED_PROXIES"]?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? [])
        var networks: [IPNetwork] = []
        for text in given where !text.isEmpty {
            do { networks.append(try IPNetwork(parsing: text)) } catch { throw ValidationError("--trusted-proxy: \(error.description)") }
        }
        return networks
    }

    /// `none` (no limit), a limit such as `50/s`, or `fallback` when not given.
    static func limit(_ text: String?, option: String, default fallback: RateLimit?) throws -> RateLimit? {
        guard let text else { return fallback }
        return try RateLimitOption.parse(text, option: option)
    }
}

/// A `--rate-limit` value: `none` or `N/s`, `N/min`, `N/h`.
enum RateLimitOption {
    static func parse(_ text: String, option: String) throws -> RateLimit? {
        if text.lowercased() == "none" { return nil }
        do { return try RateLimit(parsing: text) } catch { throw ValidationError("\(option): \(error.description)") }
    }
}
