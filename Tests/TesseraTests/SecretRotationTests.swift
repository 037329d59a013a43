import Foundation
import Testing
@testable import TesseraCore
import TesseraJSON
import TesseraStore
@testable import TesseraSQLite
@testable import TesseraHTTP

/// Rotating a client secret without an outage: both secrets authenticate during the overlap and the
/// event names which one was used; after its expiry the old one is refused as expired (not "wrong");
/// `client_secret_jwt` works with either; last uses are recorded at most once a minute, off the
/// request's path; and a database of the one-secret schema keeps its secrets through the migration.
@Suite struct SecretRotationTests {
    static func token(_ http: HTTPDriver, _ deployment: TestDeployment, id: String, secret: String) async throws -> HTTPDriver.Answer {
        try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: [("grant_type", "client_credentials")], headers: HTTPDriver.basic(id, secret))
    }

    @Test func bothSecretsWorkDuringTheOverlapAndTheOldOneIsRefusedAsExpiredAfterIt() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretBasic)
            let old = try #require(client.secret)
            let rotated = try await deployment.admin.rotateSecret(clientID: client.id, keepOldFor: 3600)
            let new = try #require(rotated.secret)
            let (newID, oldID) = (rotated.client.secrets[0].id, rotated.client.secrets[1].id)
            deployment.runtime.directory.invalidateAll()
            try await deployment.http { http async throws in
                #expect(try await Self.token(http, deployment, id: client.id, secret: old).status == 200)
                #expect(try await Self.token(http, deployment, id: client.id, secret: new).status == 200)
                deployment.clock.advance(by: 3601)
                let refused = try await Self.token(http, deployment, id: client.id, secret: old)
                #expect(refused.status == 401)
                let description = try JSONReader.object(in: refused.text)["error_description"]?.string ?? ""
                #expect(description.hasPrefix("the client secret presented for client \(client.id) is secret \(oldID), which expired at"), "\(description)")
                #expect(try await Self.token(http, deployment, id: client.id, secret: new).status == 200)
                #expect(try await Self.token(http, deployment, id: client.id, secret: "never-a-secret").text.contains("is not one of its secrets"))
            }
            let events = try await deployment.events(EventQuery(clientID: client.id, limit: 10))
            #expect(events.map { $0.detail["secret_id"] } == [oldID, newID, oldID, newID, nil])
            #expect(events.map(\.reason) == [nil, nil, "client_auth.secret_expired", nil, "client_auth.secret_invalid"])
        }
    }

    @Test func clientSecretJWTVerifiesWithTheOldAndTheNewSecret() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretJWT)
            let old = try #require(client.secret)
            let rotated = try await deployment.admin.rotateSecret(clientID: client.id, keepOldFor: 600)
            let new = try #require(rotated.secret)
            let newID = rotated.client.secrets[0].id
            deployment.runtime.directory.invalidateAll()
            let server = try #require(try await deployment.stores.servers.server(named: "default"))
            func authenticate(_ assertion: String) async throws(OAuthError) -> AuthenticatedClient {
                try await deployment.runtime.authenticator.authenticate(.assertion(assertion, type: ClientAssertionVerifier.assertionType, clientID: nil),
                                                                       server: server, at: .token)
            }
            let claims = { deployment.claims(for: client.id) }
            #expect(try await authenticate(try await ClientKeyPair.signAssertion(claims(), secret: old)).secretID == rotated.client.secrets[1].id)
            #expect(try await authenticate(try await ClientKeyPair.signAssertion(claims(), secret: new)).secretID == newID)
            let named = HandMadeJWS.hs256(header: #"{"alg":"HS256","kid":"\#(newID)"}"#,
                                          claims: String(decoding: try JSONEncoder().encode(claims()), as: UTF8.self), secret: new)
            #expect(try await authenticate(named).secretID == newID, "a kid naming the secret picks it")
            deployment.clock.advance(by: 601)
            let expired = try await ClientKeyPair.signAssertion(claims(), secret: old)
            let error = await #expect(throws: OAuthError.self) { try await authenticate(expired) }
            #expect(error?.reason == .clientAuthSecretExpired)
            #expect(try await authenticate(try await ClientKeyPair.signAssertion(claims(), secret: new)).secretID == newID)
        }
    }

    /// A private_key_jwt client's inline keys replaced with an overlap: assertions of the old and the new
    /// key both authenticate until the overlap ends, then the old kid is refused saying the keys changed.
    @Test func replacedClientKeysKeepWorkingForTheOverlap() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.privateKeyJWT)
            let oldKey = try #require(client.key)
            let newKey = try ClientKeyPair.generate(.es256)
            _ = try await deployment.admin.replaceJWKS(clientID: client.id, jwks: newKey.jwksDocument(), keepOldFor: 3600)
            deployment.runtime.directory.invalidateAll()
            let server = try #require(try await deployment.stores.servers.server(named: "default"))
            func authenticate(_ key: ClientKeyPair) async throws(OAuthError) -> AuthenticatedClient {
                let assertion = (try? await key.signAssertion(deployment.claims(for: client.id))) ?? ""
                return try await deployment.runtime.authenticator.authenticate(
                    .assertion(assertion, type: ClientAssertionVerifier.assertionType, clientID: nil), server: server, at: .token)
            }
            #expect(try await authenticate(oldKey).client.id == client.id, "the replaced key works during the overlap")
            #expect(try await authenticate(newKey).client.id == client.id)
            deployment.clock.advance(by: 3601)
            let error = await #expect(throws: OAuthError.self) { try await authenticate(oldKey) }
            #expect(error?.reason == .assertionKidUnknown)
            #expect(error?.description.contains("the keys the client had before its last key update stopped working at") == true, "\(error?.description ?? "")")
            #expect(try await authenticate(newKey).client.id == client.id)
            await #expect(throws: AdminError.self) { try await deployment.admin.replaceJWKS(clientID: client.id, jwks: #"{"keys":[]}"#) }
        }
    }

    @Test func lastUsesAreRecordedAtMostOnceAMinuteOffTheRequestPath() async throws {
        try await TestDeployment.with { deployment in
            let client = try await deployment.register(.clientSecretBasic)
            let secret = try #require(client.secret)
            let secretID = try #require(try await deployment.stores.clients.client(id: client.id)?.secrets.first?.id)
            let first = deployment.clock.now
            @Sendable func recorded() async throws -> Date? { try await deployment.stores.clients.secretUses(clientID: client.id)[secretID] }
            // Times read back through `timeIntervalSince1970` may differ from the clock's by a rounding step.
            @Sendable func expectRecorded(_ time: Date) async throws {
                await deployment.runtime.authenticator.secretUses.flush()  // the write runs off the request's path
                let recorded = try await recorded()
                #expect(recorded.map { abs($0.timeIntervalSince(time)) < 0.001 } == true, "\(String(describing: recorded)) vs \(time)")
            }
            try await deployment.http { http async throws in
                #expect(try await Self.token(http, deployment, id: client.id, secret: secret).status == 200)
                try await expectRecorded(first)
                deployment.clock.advance(by: 30)
                #expect(try await Self.token(http, deployment, id: client.id, secret: secret).status == 200)
                deployment.clock.advance(by: 31)
                #expect(try await Self.token(http, deployment, id: client.id, secret: secret).status == 200)
                try await expectRecorded(first.addingTimeInterval(61))
            }
            let lines = try await deployment.admin.secrets(clientID: client.id)
            #expect(abs((lines.first?.lastUsed ?? .distantPast).timeIntervalSince(first.addingTimeInterval(61))) < 0.001,
                    "the use 30 s after the first was not written")
        }
    }

    @Test func aDatabaseWithOneSecretPerClientKeepsItThroughTheMigration() async throws {
        let path = SQLiteTestFile.path("secrets")
        defer { SQLiteTestFile.remove(path) }
        let store = try await SQLiteStore.open(path: path)
        // Back to schema 6: one secret_hash/encrypted_secret per client, as before several secrets.
        try await SchemaRollback.backToSchema6(store)
        try await store.run("""
            INSERT INTO clients (id, server, name, auth_method, secret_hash, encrypted_secret, scopes, claims, enabled, created_at, introspects)
            VALUES ('c-basic', 'default', 'b', 'client_secret_basic', x'0102ff', NULL, '[]', '{}', 1, 1800000000, '[]'),
                   ('c-jwt', 'default', 'j', 'client_secret_jwt', x'aabb', x'00c0ffee', '[]', '{}', 1, 1800000001, '[]'),
                   ('c-key', 'default', 'k', 'private_key_jwt', NULL, NULL, '[]', '{}', 1, 1800000002, '[]')
            """)
        await store.close()

        let upgraded = try await SQLiteStore.open(path: path)
        let basic = try #require(try await upgraded.client(id: "c-basic")).secrets
        #expect(basic.count == 1 && basic[0].hash == Data([1, 2, 255]) && basic[0].encrypted == nil && basic[0].expiresAt == nil)
        #expect(basic[0].id.hasPrefix("sec_") && basic[0].createdAt == Date(timeIntervalSince1970: 1_800_000_000))
        let jwt = try #require(try await upgraded.client(id: "c-jwt")).secrets
        #expect(jwt.count == 1 && jwt[0].hash == Data([0xAA, 0xBB]) && jwt[0].encrypted == Data([0x00, 0xC0, 0xFF, 0xEE]))
        #expect(try #require(try await upgraded.client(id: "c-key")).secrets.isEmpty)
        await upgraded.close()
    }
}
