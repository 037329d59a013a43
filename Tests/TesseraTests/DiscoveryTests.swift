import Foundation
import Testing
@testable import TesseraCore
import TesseraSQLite
import TesseraStore

/// Scenario 3: discovery documents, narrowed per client, and the JWKS.
@Suite struct DiscoveryTests {
    @Test func theDocumentIsRenderedOncePerChangeAndShowsANewScope() async throws {
        try await TestDeployment.with { deployment async throws in
            let renders: @Sendable () -> Int = { deployment.runtime.discovery.rendered.renders.load(ordering: .relaxed) }
            try await deployment.runtime.refreshCaches()
            try await SQLiteTestFile.withStore(at: deployment.directory.appendingPathComponent("tessera.sqlite").path) { other in
                try await deployment.http { http async throws in
                    let first = try await http.get("/oauth2/default/.well-known/openid-configuration")
                    let second = try await http.get("/oauth2/default/.well-known/oauth-authorization-server")
                    #expect(first.text == second.text && renders() == 1, "served from the bytes rendered once")
                    #expect(!first.text.contains("orders.admin"))

                    try await other.createScope(Scope(server: "default", name: "orders.admin"))
                    try await deployment.runtime.refreshCaches()
                    let changed = try await http.get("/oauth2/default/.well-known/openid-configuration")
                    #expect(changed.text.contains("\"orders.admin\""), "a new scope is in the document after the feed is read: \(changed.text)")
                    #expect(renders() == 2)
                    _ = try await http.get("/oauth2/default/.well-known/openid-configuration")
                    #expect(renders() == 2, "and rendered once for that change")

                    var server = try #require(try await other.server(named: "default"))
                    server.audiences = ["https://orders.example.com"]
                    try await other.updateServer(server)
                    try await deployment.runtime.refreshCaches()
                    _ = try await http.get("/oauth2/default/.well-known/openid-configuration")
                    #expect(renders() == 3, "a server change renders it again")
                }
            }
        }
    }

    @Test func allThreeDiscoveryURLsServeTheSameDocument() async throws {
        try await TestDeployment.with { deployment in
            let answers = try await deployment.http { http in
                [try await http.get("/oauth2/default/.well-known/openid-configuration"),
                 try await http.get("/oauth2/default/.well-known/oauth-authorization-server"),
                 try await http.get("/.well-known/oauth-authorization-server/oauth2/default")]
            }
            for answer in answers {
                #expect(answer.status == 200)
                #expect(answer.text == answers[0].text)
            }
            let json = answers[0].json
            #expect(json["issuer"] as? String == "http://tessera.test/oauth2/default")
            #expect(json["token_endpoint"] as? String == "http://tessera.test/oauth2/default/v1/token")
            #expect(json["jwks_uri"] as? String == "http://tessera.test/oauth2/default/v1/keys")
            #expect(json["introspection_endpoint"] as? String == "http://tessera.test/oauth2/default/v1/introspect")
            #expect(json["revocation_endpoint"] as? String == "http://tessera.test/oauth2/default/v1/revoke")
            #expect(json["grant_types_supported"] as? [String] == ["authorization_code", "client_credentials", "refresh_token"])
            #expect(json["scopes_supported"] as? [String] == ["orders.read", "orders.write", "openid", "profile", "email", "groups", "offline_access"])
            #expect(json["authorization_endpoint"] as? String == "http://tessera.test/oauth2/default/v1/authorize")
            #expect(json["userinfo_endpoint"] as? String == "http://tessera.test/oauth2/default/v1/userinfo")
            #expect(json["end_session_endpoint"] as? String == "http://tessera.test/oauth2/default/v1/logout")
            #expect(json["response_types_supported"] as? [String] == ["code"], "only the code flow is implemented, so only code is advertised")
            #expect(json["code_challenge_methods_supported"] as? [String] == ["S256"])
            #expect(json["authorization_response_iss_parameter_supported"] as? Bool == true)
            #expect((json["claims_supported"] as? [String])?.contains("sid") == true)
            #expect(json["token_endpoint_auth_methods_supported"] as? [String] ==
                    ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"])
            #expect((json["introspection_endpoint_auth_methods_supported"] as? [String])?.contains("private_key_jwt") == true)
            #expect((json["revocation_endpoint_auth_methods_supported"] as? [String])?.contains("client_secret_basic") == true)
            #expect((json["token_endpoint_auth_signing_alg_values_supported"] as? [String])?.contains("ES256") == true)
            #expect((json["token_endpoint_auth_signing_alg_values_supported"] as? [String])?.contains("none") == false)
        }
    }

    @Test func clientIDNarrowsTheMethodsToTheClientsOwn() async throws {
        try await TestDeployment.with { deployment in
            let keyClient = try await deployment.register(.privateKeyJWT)
            let secretClient = try await deployment.register(.clientSecretBasic)
            let (forKey, forSecret, unknown) = try await deployment.http { http in
                (try await http.get("/oauth2/default/.well-known/oauth-authorization-server?client_id=\(keyClient.id)"),
                 try await http.get("/.well-known/oauth-authorization-server/oauth2/default?client_id=\(secretClient.id)"),
                 try await http.get("/oauth2/default/.well-known/openid-configuration?client_id=nobody"))
            }
            #expect(forKey.json["token_endpoint_auth_methods_supported"] as? [String] == ["private_key_jwt"])
            #expect(forKey.json["introspection_endpoint_auth_methods_supported"] as? [String] == ["private_key_jwt"])
            #expect((forKey.json["token_endpoint_auth_signing_alg_values_supported"] as? [String])?.contains("HS256") == false)
            #expect((forKey.json["token_endpoint_auth_signing_alg_values_supported"] as? [String])?.contains("ES256") == true)
            #expect(forSecret.json["token_endpoint_auth_methods_supported"] as? [String] == ["client_secret_basic"])
            #expect(forSecret.json["token_endpoint_auth_signing_alg_values_supported"] == nil)
            #expect(unknown.status == 404)
            #expect(unknown.error == "not_found")
            #expect(unknown.description.contains("nobody"))
        }
    }

    @Test func jwksHasOnlyPublicMembersAndACacheLifetime() async throws {
        try await TestDeployment.with { deployment in
            let answer = try await deployment.http { http in try await http.get("/oauth2/default/v1/keys") }
            #expect(answer.status == 200)
            #expect(answer.header("Cache-Control")?.contains("max-age=") == true)
            let keys = try #require(answer.json["keys"] as? [[String: Any]])
            #expect(keys.count == 1)
            let key = try #require(keys.first)
            #expect(Set(key.keys) == ["kty", "crv", "x", "y", "kid", "alg", "use"])
            #expect(key["d"] == nil)
        }
    }

    @Test func unknownServerIs404WithAJSONError() async throws {
        try await TestDeployment.with { deployment in
            let answer = try await deployment.http { http in try await http.get("/oauth2/nope/.well-known/openid-configuration") }
            #expect(answer.status == 404)
            #expect(answer.error == "not_found")
            #expect(answer.description.contains("\"nope\""))
            #expect(answer.header("X-Request-Id") != nil)
        }
    }
}
