import Foundation
import JWTKit
import Testing
import TesseraCore
import TesseraSQLite
import TesseraStore

/// The admin CLI and client helpers, run as the real binary against a real data directory.
@Suite struct CLITests {
    @Test func clientsCreateListShowAndRotateSecret() async throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = ["--data-dir", dir.path]
        let unknownScope = try CLIProcess.run(["clients", "create", "--server", "default", "--name", "svc", "--auth-method", "client_secret_basic", "--scope", "orders.read"] + data)
        #expect(unknownScope.status == 2)
        #expect(unknownScope.stderr.contains("scope \"orders.read\" is not defined"))
        #expect(unknownScope.stderr.split(separator: "\n").count == 1)

        #expect(try CLIProcess.run(["scopes", "create", "--server", "default", "orders.read", "--description", "read orders"] + data).status == 0)
        let scopes = try CLIProcess.run(["scopes", "list", "--server", "default"] + data)
        #expect(scopes.stdout.contains("orders.read  read orders"))

        let created = try CLIProcess.run(["clients", "create", "--server", "default", "--name", "svc", "--auth-method", "client_secret_basic",
                                          "--scope", "orders.read", "--json"] + data)
        #expect(created.status == 0, "\(created.stderr)")
        let json = CLIProcess.json(created.stdout)
        #expect(Set(json.keys) == ["client_id", "client_secret", "server", "token_endpoint_auth_method"])
        let id = try #require(json["client_id"] as? String)
        let secret = try #require(json["client_secret"] as? String)
        #expect(json["token_endpoint_auth_method"] as? String == "client_secret_basic")
        #expect(Base64URL.decode(secret)?.count == 32, "secrets carry 256 random bits")

        let list = try CLIProcess.run(["clients", "list", "--server", "default"] + data)
        #expect(list.stdout.contains(id))
        let show = try CLIProcess.run(["clients", "show", id, "--json"] + data)
        #expect(CLIProcess.json(show.stdout)["client_id"] as? String == id)
        #expect(!show.stdout.contains(secret), "show never prints the secret")

        let rotated = try CLIProcess.run(["clients", "rotate-secret", id, "--json"] + data)
        let newSecret = try #require(CLIProcess.json(rotated.stdout)["client_secret"] as? String)
        #expect(newSecret != secret)

        let store = try await SQLiteStore.open(path: dir.appendingPathComponent("tessera.sqlite").path)
        let read = try await store.client(id: id)
        await store.close()
        let stored = try #require(read)
        #expect(stored.secrets.count == 2, "the old secret keeps working for the overlap")
        #expect(ClientSecret.entry(for: newSecret, in: stored.secrets) == stored.secrets[0], "newest first")
        #expect(ClientSecret.entry(for: secret, in: stored.secrets) == stored.secrets[1])
        #expect(stored.secrets[0].expiresAt == nil)
        let overlap = try #require(stored.secrets[1].expiresAt).timeIntervalSince(stored.secrets[0].createdAt)
        #expect(abs(overlap - 86_400) < 5, "24 h by default: \(overlap)")
        #expect(stored.secrets.allSatisfy { $0.encrypted == nil }, "basic clients keep only the hash")

        let listed = try CLIProcess.run(["clients", "secrets", id] + data)
        #expect(listed.stdout.contains("secret \(stored.secrets[0].id) current, created just now, never used"), "\(listed.stdout)")
        #expect(listed.stdout.contains("secret \(stored.secrets[1].id) old, created just now, never used, expires in 23 h"), "\(listed.stdout)")
        #expect(!listed.stdout.contains(newSecret) && !listed.stdout.contains(secret), "secrets are never printed")
        let onlyValid = try CLIProcess.run(["clients", "revoke-secret", id, "sec_unknown"] + data)
        #expect(onlyValid.status == 2 && onlyValid.stderr.contains("has no secret \"sec_unknown\""), "\(onlyValid.stderr)")
        #expect(try CLIProcess.run(["clients", "revoke-secret", id, stored.secrets[1].id] + data).status == 0)
        let last = try CLIProcess.run(["clients", "revoke-secret", id, stored.secrets[0].id] + data)
        #expect(last.status == 2 && last.stderr.contains("is the only valid secret"), "\(last.stderr)")
        let immediate = try CLIProcess.run(["clients", "rotate-secret", id, "--keep-old-for", "0", "--json"] + data)
        #expect(immediate.status == 0)
        #expect(try CLIProcess.run(["clients", "secrets", id] + data).stdout.split(separator: "\n").count == 1, "--keep-old-for 0 ends the old secret at once")
        #expect(try CLIProcess.run(["clients", "rotate-secret", id, "--keep-old-for", "soon"] + data).status == 2)

        let limited = try CLIProcess.run(["clients", "update", id, "--rate-limit", "50/s", "--json"] + data)
        #expect(limited.status == 0, "\(limited.stderr)")
        #expect(CLIProcess.json(limited.stdout)["rate_limit"] as? String == "50/s")
        #expect(try CLIProcess.run(["clients", "show", id] + data).stdout.contains("rate limit: 50/s"))
        let unlimited = try CLIProcess.run(["clients", "update", id, "--rate-limit", "none", "--json"] + data)
        #expect(CLIProcess.json(unlimited.stdout)["rate_limit"] is NSNull, "none gives the client its server's limit again: \(unlimited.stdout)")
        let serverLimited = try CLIProcess.run(["servers", "update", "default", "--rate-limit", "600/min", "--json"] + data)
        #expect(CLIProcess.json(serverLimited.stdout)["rate_limit"] as? String == "600/min", "\(serverLimited.stdout)\(serverLimited.stderr)")

        #expect(try CLIProcess.run(["clients", "disable", id] + data).status == 0)
        #expect(try CLIProcess.run(["clients", "delete", id] + data).status == 0)
        let gone = try CLIProcess.run(["clients", "show", id] + data)
        #expect(gone.status == 2)
        #expect(gone.stderr.contains("no client with id"))

        let attributes = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("master.key").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func adminBootstrapWritesAPrivateKeyOnceAndTheClientHoldsEveryManagementScope() async throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = ["--data-dir", dir.appendingPathComponent("data").path]
        let key = dir.appendingPathComponent("admin.key").path
        let first = try CLIProcess.run(["admin", "bootstrap", "--private-key", key, "--json"] + data)
        #expect(first.status == 0, "\(first.stderr)")
        let json = CLIProcess.json(first.stdout)
        let id = try #require(json["client_id"] as? String)
        #expect(json["server"] as? String == "system")
        #expect(Set(json["scopes"] as? [String] ?? []) == Set(SystemServer.Scope.allCases.map(\.rawValue)))
        let mode = try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try String(contentsOfFile: key, encoding: .utf8).hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(!first.stdout.contains("BEGIN PRIVATE KEY"), "the key goes to its file, not to the output")

        let again = try CLIProcess.run(["admin", "bootstrap", "--private-key", dir.appendingPathComponent("other.key").path] + data)
        #expect(again.status == 2)
        #expect(again.stderr.contains("already has 1 client(s) (\(id) first)"), "\(again.stderr)")
        let overwrite = try CLIProcess.run(["admin", "bootstrap", "--private-key", key, "--force"] + data)
        #expect(overwrite.status == 2)
        #expect(overwrite.stderr.contains("already exists; refusing to overwrite it"))
        let forced = try CLIProcess.run(["admin", "bootstrap", "--private-key", dir.appendingPathComponent("second.key").path, "--force"] + data)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stdout.contains("tessera token --issuer http://127.0.0.1:8080/oauth2/system --client-id"))
    }

    @Test func badArgumentsGiveOneLineAndStatus2() throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for arguments in [["clients", "create", "--server", "default", "--name", "x", "--auth-method", "nope"],
                          ["servers", "create", "Bad Name"], ["serve", "--port", "99999"], ["clients", "create", "--name", "x"]] {
            let result = try CLIProcess.run(arguments + ["--data-dir", dir.path])
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("tessera: "), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        let limits: [([String], String)] = [
            (["clients", "update", "0oa-any", "--rate-limit", "10/fortnight"], "\"fortnight\" is not a period; use s, min or h"),
            (["clients", "update", "0oa-any", "--rate-limit", "0/s"], "at least 1 request per period"),
            (["servers", "update", "default", "--rate-limit=-1/s"], "at least 1 request per period"),
            (["serve", "--rate-limit-client", "fast"], "--rate-limit-client: \"fast\" is not a rate limit"),
            (["serve", "--trusted-proxy", "proxy.internal"], "--trusted-proxy: \"proxy.internal\" is not an IP address or network"),
            (["serve", "--trusted-proxy", "10.0.0.0/40"], "the prefix length must be a number from 0 to 32"),
            (["serve", "--lockout-after=-3"], "--lockout-after must be a number of failed authentications from 0 (off)"),
            (["serve", "--cache-clients=-1"], "--cache-clients must be a number of entries from 0 (caching off)"),
            (["serve", "--event-log-max-events", "10"], "--event-log-max-events must be a number of events of at least 1000"),
            (["serve", "--event-success-sample", "1.5"], "--event-success-sample must be a share from 0 to 1"),
        ]
        for (arguments, reason) in limits {
            let result = try CLIProcess.run(arguments + ["--data-dir", dir.path])
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(reason), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        let help = try CLIProcess.run(["clients", "create", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--auth-method"))
    }

    @Test func keygenWritesAPrivateKeyAndAJWKSThatAssertionsMatch() async throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for alg in ["ES256", "RS256", "EdDSA"] {
            let pem = dir.appendingPathComponent("\(alg).pem").path
            let jwks = dir.appendingPathComponent("\(alg).jwks.json").path
            let result = try CLIProcess.run(["keygen", "--alg", alg, "--private-key", pem, "--jwks", jwks])
            #expect(result.status == 0, "\(result.stderr)")
            #expect((try FileManager.default.attributesOfItem(atPath: pem)[.posixPermissions] as? Int) == 0o600)
            #expect(try String(contentsOfFile: pem, encoding: .utf8).hasPrefix("-----BEGIN PRIVATE KEY-----"), "PKCS#8 PEM")
            let document = try String(contentsOfFile: jwks, encoding: .utf8)
            let key = try #require((CLIProcess.json(document)["keys"] as? [[String: Any]])?.first)
            #expect(key["alg"] as? String == alg)
            #expect(key["use"] as? String == "sig")
            #expect(key["kid"] is String)
            #expect(key["d"] == nil)

            let assertion = try CLIProcess.run(["assertion", "--client-id", "0oaclient", "--private-key", pem, "--audience", "https://as.example.com/token"])
            #expect(assertion.status == 0, "\(assertion.stderr)")
            let keys = try await JWTKeyCollection().add(jwksJSON: document)
            let claims = try await keys.verify(assertion.stdout.trimmingCharacters(in: .whitespacesAndNewlines), as: AssertionClaims.self)
            #expect(claims.iss == "0oaclient" && claims.sub == "0oaclient")
            #expect(claims.aud?.values == ["https://as.example.com/token"])
            #expect((claims.exp ?? 0) - (claims.iat ?? 0) == 60)
            #expect(claims.jti != nil)
        }
    }
}

/// Secrets are pasted on command lines: one starting with `-` would be read as an option.
@Suite struct SecretShapeTests {
    @Test func generatedSecretsNeverStartWithADash() {
        for _ in 0..<2000 {
            let secret = ClientSecret.generate()
            #expect(!secret.plaintext.hasPrefix("-"))
            #expect(secret.hash == Hashing.sha256(secret.plaintext))
        }
    }
}
