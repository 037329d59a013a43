import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TesseraCore
import TesseraHTTP
import TesseraJSON
import TesseraJWT
import TesseraPostgres
import TesseraSQLite
import TesseraStore

/// `tessera master-key rotate`: every private key and `client_secret_jwt` secret resealed under a new
/// master key in one transaction, on SQLite and on PostgreSQL; afterwards a server on the new key issues
/// tokens as before (signing with both kinds of key, checking a `client_secret_jwt` assertion), and the
/// old key is refused at start. And the command itself, with the refusals it owes.
@Suite struct MasterKeyRotationTests {
    /// The whole round trip on one backend's stores.
    static func roundTrip(_ stores: Stores) async throws {
        let old = MasterKey.generate().key
        let new = MasterKey.generate().key
        let clock = ManualWallClock(Date())
        let admin = Administration(stores: stores, masterKey: old, clock: clock)
        _ = try await admin.bootstrapDefaultServer()
        _ = try await admin.createScope(server: "default", name: "orders.read", description: nil)
        _ = try await admin.rotateKey(server: "default", algorithm: "RS256")
        let created = try await admin.createClient(server: "default", name: "hmac", method: .clientSecretJWT, scopes: ["orders.read"])
        let secret = try #require(created.secret)
        try await MasterKeyCheck.verify(old, in: stores.sealed, at: clock.now)

        let count = try await MasterKeyRotation.rotate(stores: stores, from: old, to: new, at: clock.now)
        #expect(count == ResealCount(signingKeys: 3, clientSecrets: 1), "\(count)")  // default (2) and system (1)
        try await MasterKeyCheck.verify(new, in: stores.sealed, at: clock.now)
        await #expect { try await MasterKeyCheck.verify(old, in: stores.sealed, at: clock.now) } throws: { error in
            "\(error)".contains("the master key does not open this database's keys")
        }
        await #expect { try await MasterKeyRotation.rotate(stores: stores, from: old, to: MasterKey.generate().key, at: clock.now) } throws: { error in
            "\(error)".contains("does not open")
        }
        await #expect { try await MasterKeyRotation.rotate(stores: stores, from: new, to: new, at: clock.now) } throws: { error in
            "\(error)".contains("the new master key is the one the database already uses")
        }

        // A server started with the new key: the RS256 key signs, the secret checks the client's HMAC.
        let runtime = TesseraRuntime(stores: stores, masterKey: new, settings: TesseraSettings(publicURL: TestDeployment.publicURL), clock: clock)
        let urls = IssuerURLs(publicURL: TestDeployment.publicURL, server: "default")
        let assertion = try await ClientKeyPair.signAssertion(
            ClientKeyPair.assertionClaims(clientID: created.client.id, audience: urls.tokenEndpoint, now: clock.now), secret: secret)
        var logger = Logger(label: "tessera.test")
        logger.logLevel = .critical
        let app = Application(router: TesseraApplication.router(runtime: runtime, logger: logger), logger: logger)
        let answer = try await app.test(.router) { client in
            try await HTTPDriver(client: client).post(path(urls.tokenEndpoint), form: [
                ("grant_type", "client_credentials"), ("client_assertion_type", HTTPDriver.assertionType), ("client_assertion", assertion)])
        }
        #expect(answer.status == 200, "\(answer.text)")
        let token = try #require(try JSONReader.object(in: answer.text)["access_token"]?.string)
        let header = try ParsedJWT<AccessTokenPayload>(parsing: token).header
        let newestKid = try await admin.keys(server: "default").first?.key.kid
        #expect(header.alg == "RS256" && header.kid == newestKid)
    }

    @Test func sqliteResealsEverythingAndTheNewKeyServesWhileTheOldIsRefused() async throws {
        let path = SQLiteTestFile.path("master-key")
        defer { SQLiteTestFile.remove(path) }
        try await SQLiteTestFile.withStore(at: path) { store in try await Self.roundTrip(Stores(store)) }
    }

    @Test(.enabled(if: TestPostgres.enabled, TestPostgres.skipReason))
    func postgresResealsEverythingAndTheNewKeyServesWhileTheOldIsRefused() async throws {
        let database = try await TestPostgres.freshDatabase()
        let store = try await PostgresStore.open(database.location)
        try await Self.roundTrip(Stores(store))
        await store.close()
    }

    @Test func theCommandReplacesTheKeyFileAndEveryCommandRefusesTheOldKey() throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = ["--data-dir", dir.path]
        let created = try CLIProcess.run(["clients", "create", "--server", "default", "--name", "hmac", "--auth-method", "client_secret_jwt"] + data)
        #expect(created.status == 0, "\(created.stderr)")
        let keyFile = dir.appendingPathComponent("master.key")
        let oldKey = try String(contentsOf: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)

        let rotated = try CLIProcess.run(["master-key", "rotate"] + data)
        #expect(rotated.status == 0 && rotated.stdout.contains("resealed 2 signing keys and 1 client secret under a new master key"), "\(rotated.stdout)\(rotated.stderr)")
        let newKey = try String(contentsOf: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(newKey != oldKey)
        _ = try MasterKey(encoded: newKey)
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: keyFile.path + ".next"))
        #expect(try CLIProcess.run(["keys", "list", "--server", "default"] + data).status == 0, "the new key file opens the database")

        let withOld = try CLIProcess.run(["servers", "list"] + data, environment: ["TESSERA_MASTER_KEY": oldKey])
        #expect(withOld.status == 1 && withOld.stderr.contains("the master key does not open this database's keys"), "\(withOld.stderr)")
        #expect(withOld.stderr.split(separator: "\n").count == 1)

        let short = dir.appendingPathComponent("short.key")
        try Data("AAAA\n".utf8).write(to: short)
        let wrongLength = try CLIProcess.run(["master-key", "rotate", "--new-key-file", short.path] + data)
        #expect(wrongLength.status == 2 && wrongLength.stderr.contains("the master key must be 32 bytes; got 3"), "\(wrongLength.stderr)")
        let same = try CLIProcess.run(["master-key", "rotate", "--new-key-file", keyFile.path] + data)
        #expect(same.status == 1 && same.stderr.contains("the new master key is the one the database already uses"), "\(same.stderr)")
        let fromEnvironment = try CLIProcess.run(["master-key", "rotate"] + data, environment: ["TESSERA_MASTER_KEY": newKey])
        #expect(fromEnvironment.status == 2 && fromEnvironment.stderr.contains("give it with --new-key-file"), "\(fromEnvironment.stderr)")
        #expect(try String(contentsOf: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == newKey, "refusals leave the key file alone")

        let generated = try CLIProcess.run(["master-key"])
        #expect(generated.status == 0, "plain `tessera master-key` still prints a new key")
        _ = try MasterKey(encoded: generated.stdout)
    }
}
