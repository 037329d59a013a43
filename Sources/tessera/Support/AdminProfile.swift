import ArgumentParser
import Foundation
import Yams

/// A named connection to a running server for the admin commands (`--profile prod`), read from
/// `~/.config/tessera/profiles.yaml` (`$XDG_CONFIG_HOME/tessera/…`, or the file `TESSERA_PROFILES_FILE`
/// names):
///
///     profiles:
///       prod:
///         server_url: https://id.example.com
///         client_id: 0oa…
///         private_key: ~/.config/tessera/prod-admin.key
struct AdminProfile {
    var serverURL: String?
    var clientID: String?
    var privateKey: String?

    static func path(environment: [String: String]) -> String {
        if let file = environment["TESSERA_PROFILES_FILE"], !file.isEmpty { return file }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        return config + "/tessera/profiles.yaml"
    }

    static func named(_ name: String, environment: [String: String]) throws -> AdminProfile {
        let path = path(environment: environment)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("profile \(name.debugDescription) needs the profile file \(path), which cannot be read")
        }
        let document: Any?
        do { document = try Yams.load(yaml: text) } catch { throw ValidationError("\(path) is not valid YAML") }
        guard let profiles = (document as? [String: Any])?["profiles"] as? [String: Any] else {
            throw ValidationError("\(path) has no profiles: mapping")
        }
        guard let entry = profiles[name] as? [String: Any] else {
            throw ValidationError("\(path) has no profile \(name.debugDescription); it has \(profiles.keys.sorted().joined(separator: ", "))")
        }
        if let unknown = entry.keys.sorted().first(where: { !["server_url", "client_id", "private_key"].contains($0) }) {
            throw ValidationError("profile \(name.debugDescription) in \(path): unknown key \(unknown.debugDescription); expected server_url, client_id, private_key")
        }
        let key = (entry["private_key"] as? String).map { $0.hasPrefix("~/") ? (environment["HOME"] ?? NSHomeDirectory()) + $0.dropFirst() : $0 }
        return AdminProfile(serverURL: entry["server_url"] as? String, clientID: entry["client_id"] as? String, privateKey: key)
    }
}
