import ArgumentParser
import Foundation
import TesseraCore
import TesseraStore
import TesseraJSON

/// The authorization code settings of `clients create` and `clients update`.
struct ClientFlowOptions: ParsableArguments {
    @Option(name: .customLong("grant-type"), help: "client_credentials, authorization_code or refresh_token; repeatable (replaces the list).")
    var grantTypes: [String] = []
    @Option(name: .customLong("redirect-uri"), help: "A redirect URI of the authorization code flow, matched exactly; repeatable (replaces the list).")
    var redirectURIs: [String] = []
    @Option(name: .customLong("post-logout-redirect-uri"), help: "Where logout may send the browser back to; repeatable (replaces the list).")
    var postLogoutRedirectURIs: [String] = []
    @Flag(name: .customLong("first-party"), inversion: .prefixedNo, help: "A first-party app: its users are not asked to consent.")
    var firstParty: Bool?

    var settings: Administration.ClientFlowSettings {
        Administration.ClientFlowSettings(grantTypes: grantTypes.isEmpty ? nil : grantTypes, redirectURIs: redirectURIs.isEmpty ? nil : redirectURIs,
                                          postLogoutRedirectURIs: postLogoutRedirectURIs.isEmpty ? nil : postLogoutRedirectURIs, firstParty: firstParty)
    }
}

/// `--keep-old-for`: 0 or a duration such as `24h` or `7d`; absent, the default overlap of 24 h.
enum OverlapOption {
    static func parse(_ text: String?) throws -> TimeInterval {
        guard let text else { return Administration.defaultSecretOverlap }
        if text == "0" { return 0 }
        guard let duration = DurationOption.parse(text) else {
            throw ValidationError("--keep-old-for must be 0 or a number with a unit s, m, h or d (e.g. 24h, 7d); got \(text.debugDescription)")
        }
        return TimeInterval(duration.components.seconds)
    }
}

enum ClientOutput {
    /// The flow settings as management API members (only those given).
    static func flowMembers(_ flow: Administration.ClientFlowSettings) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = []
        if let grants = flow.grantTypes { members.append(("grant_types", .array(grants.map(JSONValue.string)))) }
        if let uris = flow.redirectURIs { members.append(("redirect_uris", .array(uris.map(JSONValue.string)))) }
        if let uris = flow.postLogoutRedirectURIs { members.append(("post_logout_redirect_uris", .array(uris.map(JSONValue.string)))) }
        if let firstParty = flow.firstParty { members.append(("first_party", .bool(firstParty))) }
        return members
    }

    /// One line per secret: "sec_… current, created 2 d ago, last used 5 min ago" or
    /// "sec_… old, last used 3 h ago, expires in 21 h".
    static func secretLines(_ secrets: [(entry: ClientSecretEntry, lastUsed: Date?)], now: Date) -> [String] {
        secrets.enumerated().map { index, secret in
            let (entry, lastUsed) = secret
            let state = entry.isValid(at: now) ? (index == 0 ? "current" : "old") : "expired"
            var parts = ["\(entry.id) \(state)", "created \(Self.ago(entry.createdAt, now))"]
            parts.append(lastUsed.map { "last used \(Self.ago($0, now))" } ?? "never used")
            if let expires = entry.expiresAt {
                parts.append(expires > now ? "expires in \(Self.span(expires.timeIntervalSince(now)))" : "expired \(Self.ago(expires, now))")
            }
            return "secret " + parts.joined(separator: ", ")
        }
    }

    static func ago(_ time: Date, _ now: Date) -> String {
        let seconds = now.timeIntervalSince(time)
        return seconds < 60 ? "just now" : "\(span(seconds)) ago"
    }

    /// 45 s, 12 min, 3 h, 2 d.
    static func span(_ seconds: TimeInterval) -> String {
        switch seconds {
        case ..<60: return "\(Int(seconds)) s"
        case ..<3600: return "\(Int(seconds / 60)) min"
        case ..<172_800: return "\(Int(seconds / 3600)) h"
        default: return "\(Int(seconds / 86_400)) d"
        }
    }

    static func printCreated(_ created: Administration.CreatedClient, json: Bool) {
        let client = created.client
        if json {
            var members: [(String, JSONValue)] = [("client_id", .string(client.id))]
            if let secret = created.secret { members.append(("client_secret", .string(secret))) }
            members += [("server", .string(client.server)), ("token_endpoint_auth_method", .string(client.authMethod.rawValue))]
            Console.json(members)
            return
        }
        Swift.print("client_id:     \(client.id)")
        if let secret = created.secret {
            Swift.print("client_secret: \(secret)")
            Swift.print("(the secret is shown only now; store it safely)")
        }
        Swift.print("server:        \(client.server)")
        Swift.print("auth method:   \(client.authMethod.rawValue)")
    }

    static func print(_ client: Client, json: Bool) {
        if json {
            Console.json(ManagementJSON.client(client))  // the management API's representation: same output in both modes
            return
        }
        Swift.print("\(client.id)  \(client.name)  \(client.authMethod.rawValue)  \(client.enabled ? "enabled" : "disabled")  scopes: \(client.scopes.joined(separator: " "))\(client.rateLimit.map { "  rate limit: \($0)" } ?? "")")
    }
}
