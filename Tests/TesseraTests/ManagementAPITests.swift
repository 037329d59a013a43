import Foundation
import HTTPTypes
import Testing
@testable import TesseraCore
import TesseraJSON
import TesseraStore
@testable import TesseraHTTP

/// The management API end to end through the real router: an admin client bootstrapped on `system`
/// gets a token with private_key_jwt and manages the deployment with it; the tokens it needs, the
/// scopes, stale writes and every refusal are problem documents with reason codes; each call is an event.
@Suite struct ManagementAPITests {
    static let manageAll = ["tessera.servers.manage", "tessera.clients.manage", "tessera.events.read"]

    @Test func anAdminCreatesAServerScopeAndClientThatGetsTokensAndRotatesItsSecretWithoutOverlap() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http async throws in
                let api = try await ManagementDriver.bootstrap(http, deployment)
                let token = try await api.token(Self.manageAll)
                let server = try await api.call(.post, "/api/v1/servers", token: token, json: #"{"name":"orders","audiences":["https://orders.example.com"]}"#)
                #expect(server.status == 201)
                #expect(server.header("Location") == "\(deployment.publicURL)/api/v1/servers/orders")
                #expect(server.json["audiences"] as? [String] == ["https://orders.example.com"])
                let scope = try await api.call(.post, "/api/v1/servers/orders/scopes", token: token, json: #"{"name":"orders.read","description":"Read orders"}"#)
                #expect(scope.status == 201)
                let created = try await api.call(.post, "/api/v1/servers/orders/clients", token: token,
                                                 json: #"{"name":"billing","token_endpoint_auth_method":"client_secret_basic","scopes":["orders.read"]}"#)
                #expect(created.status == 201)
                let clientID = try #require(created.json["client_id"] as? String)
                let secret = try #require(created.json["client_secret"] as? String)
                #expect(created.header("Location") == "\(deployment.publicURL)/api/v1/clients/\(clientID)")

                let orders = IssuerURLs(publicURL: deployment.publicURL, server: "orders").tokenEndpoint
                let first = try await http.post(path(orders), form: [("grant_type", "client_credentials"), ("scope", "orders.read")],
                                                headers: HTTPDriver.basic(clientID, secret))
                #expect(first.status == 200, "\(first.text)")

                let read = try await api.call(.get, "/api/v1/clients/\(clientID)", token: token)
                #expect(read.json["client_secret"] == nil, "a secret is shown once, never read back")
                #expect(!read.text.contains(secret))
                let rotated = try await api.call(.post, "/api/v1/clients/\(clientID)/secrets", token: token, json: #"{"keep_old_for":0}"#)
                #expect(rotated.status == 201)
                let newSecret = try #require(rotated.json["client_secret"] as? String)
                #expect(newSecret != secret)
                let old = try await http.post(path(orders), form: [("grant_type", "client_credentials")], headers: HTTPDriver.basic(clientID, secret))
                #expect(old.status == 401, "the old secret stops at once with keep_old_for 0: \(old.text)")
                let new = try await http.post(path(orders), form: [("grant_type", "client_credentials")], headers: HTTPDriver.basic(clientID, newSecret))
                #expect(new.status == 200)

                let events = try await deployment.events(EventQuery(server: SystemServer.name, limit: 100)).filter { $0.endpoint == "management" }
                #expect(events.map(\.message) == [
                    "created server orders", "created scope orders.read on server orders",
                    "created client \(clientID) (client_secret_basic) on server orders", "read client \(clientID)",
                    "rotated the secret of client \(clientID); old secrets end in 0 s",
                ])
                #expect(events.allSatisfy { $0.clientID == api.adminID && $0.outcome == .success })
                let stored = try await deployment.events(EventQuery(limit: 1000))
                #expect(!stored.contains { event in event.message.contains(secret) || event.detail.values.contains { $0.contains(secret) || $0.contains(newSecret) } })

                let page = try await api.call(.get, "/api/v1/events?server=system&limit=2", token: token)
                let listed = try #require(page.json["events"] as? [[String: Any]])
                #expect(listed.count == 2)
                #expect((listed[0]["id"] as? Int ?? 0) > (listed[1]["id"] as? Int ?? 0), "newest first")
                let cursor = try #require(page.json["next_cursor"] as? String)
                let next = try await api.call(.get, "/api/v1/events?server=system&limit=2&cursor=\(cursor)", token: token)
                let older = try #require(next.json["events"] as? [[String: Any]])
                #expect((older.first?["id"] as? Int ?? .max) < (listed[1]["id"] as? Int ?? 0), "the next page continues below the cursor")
            }
        }
    }

    @Test func callsWithoutATokenWithAnotherServersTokenOrWithoutTheScopeAreRefusedNamingWhatIsMissing() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http async throws in
                let api = try await ManagementDriver.bootstrap(http, deployment)
                let none = try await api.call(.get, "/api/v1/servers", token: nil)
                #expect(none.status == 401)
                #expect(none.header("WWW-Authenticate") == "Bearer realm=\"tessera\"")
                #expect(none.header("Content-Type") == "application/problem+json")
                #expect(none.reason == "api.token_missing")
                #expect((none.json["request_id"] as? String)?.isEmpty == false)

                let reader = try await api.token(["tessera.servers.read"])
                #expect(try await api.call(.get, "/api/v1/servers", token: reader).status == 200)
                let refused = try await api.call(.post, "/api/v1/servers", token: reader, json: #"{"name":"orders"}"#)
                #expect(refused.status == 403)
                #expect(refused.json["scope"] as? String == "tessera.servers.manage")
                #expect(refused.reason == "bearer.scope_missing")
                #expect(refused.header("WWW-Authenticate")?.contains("error=\"insufficient_scope\"") == true)
                #expect(try await deployment.stores.servers.server(named: "orders") == nil)

                let manager = try await api.token(["tessera.clients.manage"])
                #expect(try await api.call(.get, "/api/v1/servers/default/clients", token: manager).status == 200, "manage includes read")
                #expect(try await api.call(.get, "/api/v1/events", token: manager).status == 403)

                let service = try await deployment.register(.clientSecretBasic)
                let other = try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: [("grant_type", "client_credentials")],
                                                headers: HTTPDriver.basic(service.id, service.secret ?? ""))
                let foreign = try await api.call(.get, "/api/v1/servers", token: try #require(other.accessToken))
                #expect(foreign.status == 401)
                #expect(foreign.reason == "bearer.token_invalid")
                #expect((foreign.json["detail"] as? String)?.contains("token.other_server") == true, "\(foreign.text)")
            }
            let failures = try await deployment.events(EventQuery(outcome: .failure, limit: 100)).filter { $0.endpoint == "management" }
            #expect(failures.map(\.reason) == ["api.token_missing", "bearer.scope_missing", "bearer.scope_missing", "bearer.token_invalid"])
        }
    }

    @Test func aWriteWithAStaleETagIsRefusedAndChangesNothing() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http async throws in
                let api = try await ManagementDriver.bootstrap(http, deployment)
                let token = try await api.token(Self.manageAll)
                let client = try await deployment.register(.clientSecretBasic)
                let read = try await api.call(.get, "/api/v1/clients/\(client.id)", token: token)
                let etag = try #require(read.header("ETag"))
                let first = try await api.call(.patch, "/api/v1/clients/\(client.id)", token: token, json: #"{"name":"first admin"}"#, headers: [.ifMatch: etag])
                #expect(first.status == 200)
                #expect(first.header("ETag") != etag)
                let second = try await api.call(.patch, "/api/v1/clients/\(client.id)", token: token, json: #"{"name":"second admin"}"#, headers: [.ifMatch: etag])
                #expect(second.status == 412)
                #expect(second.reason == "api.precondition_failed")
                #expect(try await deployment.stores.clients.client(id: client.id)?.name == "first admin")
                let current = try #require(first.header("ETag"))
                #expect(try await api.call(.patch, "/api/v1/clients/\(client.id)", token: token, json: #"{"enabled":false}"#, headers: [.ifMatch: current]).status == 200)
                #expect(try await deployment.stores.clients.client(id: client.id)?.enabled == false)
                let server = try await api.call(.get, "/api/v1/servers/default", token: token)
                let stale = try await api.call(.patch, "/api/v1/servers/default", token: token, json: #"{"access_token_ttl":600}"#, headers: [.ifMatch: "\"0000\""])
                #expect(stale.status == 412)
                #expect(try await api.call(.patch, "/api/v1/servers/default", token: token, json: #"{"access_token_ttl":600}"#,
                                           headers: [.ifMatch: try #require(server.header("ETag"))]).status == 200)
                #expect(try await deployment.stores.servers.server(named: "default")?.accessTokenTTL == 600)
                let selfDisable = try await api.call(.patch, "/api/v1/clients/\(api.adminID)", token: token, json: #"{"enabled":false}"#)
                #expect(selfDisable.status == 409, "an admin client cannot lock itself out")
                #expect(try await api.call(.delete, "/api/v1/clients/\(api.adminID)", token: token).status == 409)
                #expect(try await deployment.stores.clients.client(id: api.adminID)?.enabled == true)
            }
        }
    }

    @Test func ofEightAdminsWritingTheSameVersionAtOnceExactlyOneSucceeds() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http async throws in
                let api = try await ManagementDriver.bootstrap(http, deployment)
                let token = try await api.token(Self.manageAll)
                let client = try await deployment.register(.clientSecretBasic)
                let etag = try #require(try await api.call(.get, "/api/v1/clients/\(client.id)", token: token).header("ETag"))
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for writer in 0..<8 {
                        group.addTask {
                            try await api.call(.patch, "/api/v1/clients/\(client.id)", token: token, json: #"{"name":"writer \#(writer)"}"#,
                                               headers: [.ifMatch: etag]).status
                        }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses)")
                #expect(statuses.allSatisfy { [200, 409, 412].contains($0) }, "\(statuses)")
                let name = try await deployment.stores.clients.client(id: client.id)?.name ?? ""
                #expect(name.hasPrefix("writer "))
                let after = try await api.call(.get, "/api/v1/clients/\(client.id)", token: token)
                #expect(try await api.call(.patch, "/api/v1/clients/\(client.id)", token: token, json: #"{"name":"next"}"#,
                                           headers: [.ifMatch: try #require(after.header("ETag"))]).status == 200, "the lease was handed back")
            }
        }
    }

    @Test(arguments: [
        ("POST", "/api/v1/servers", #"{"name":"orders","colour":"blue"}"#, 400, "api.field_unknown", "colour"),
        ("POST", "/api/v1/servers", #"{"name":"orders","access_token_ttl":"600"}"#, 400, "api.field_invalid", "access_token_ttl"),
        ("POST", "/api/v1/servers", #"{"name":"orders","access_token_ttl":5}"#, 400, "api.field_invalid", "access_token_ttl"),
        ("POST", "/api/v1/servers", #"{"audiences":["https://a"]}"#, 400, "api.field_invalid", "name"),
        ("POST", "/api/v1/servers", #"{"name":"Bad Name"}"#, 400, "api.field_invalid", "name"),
        ("POST", "/api/v1/servers", #"{"name":"default"}"#, 409, "api.conflict", ""),
        ("POST", "/api/v1/servers", #"["orders"]"#, 400, "api.body_malformed", ""),
        ("POST", "/api/v1/servers", #"{"name":"orders""#, 400, "api.body_malformed", ""),
        ("POST", "/api/v1/servers/default/clients", #"{"name":"c","token_endpoint_auth_method":"client_secret_basic","scopes":["nope"]}"#, 400, "api.field_invalid", "scopes"),
        ("POST", "/api/v1/servers/nowhere/clients", #"{"name":"c","token_endpoint_auth_method":"client_secret_basic"}"#, 404, "api.not_found", ""),
        ("POST", "/api/v1/servers/default/clients", #"{"name":"c","token_endpoint_auth_method":"private_key_jwt","jwks":{"keys":[{"kty":"EC"}]}}"#, 400, "api.field_invalid", "jwks"),
        ("POST", "/api/v1/servers/default/clients", #"{"name":"c","token_endpoint_auth_method":"magic"}"#, 400, "api.field_invalid", "token_endpoint_auth_method"),
        ("POST", "/api/v1/servers/default/scopes", #"{"name":"tessera.servers.manage"}"#, 400, "api.field_invalid", "name"),
        ("PATCH", "/api/v1/servers/system", #"{"audiences":["https://elsewhere"]}"#, 409, "api.conflict", ""),
        ("PATCH", "/api/v1/servers/default", #"{"rate_limit":"lots"}"#, 400, "api.field_invalid", "rate_limit"),
        ("PATCH", "/api/v1/clients/0oanothere", #"{"enabled":false}"#, 404, "api.not_found", ""),
        ("DELETE", "/api/v1/servers/default/keys/nokid", "", 404, "api.not_found", ""),
        ("GET", "/api/v1/events?outcome=maybe", "", 400, "api.field_invalid", "outcome"),
        ("GET", "/api/v1/events?colour=blue", "", 400, "api.field_unknown", "colour"),
        ("DELETE", "/api/v1/servers", "", 405, "request.method_not_allowed", ""),
        ("POST", "/api/v1/servers/default/clients", #"{"client_id":"short","name":"c","token_endpoint_auth_method":"client_secret_basic"}"#, 400, "api.field_invalid", "client_id"),
        ("POST", "/api/v1/servers/default/clients", #"{"client_id":7,"name":"c","token_endpoint_auth_method":"client_secret_basic"}"#, 400, "api.field_invalid", "client_id"),
        ("PATCH", "/api/v1/servers/default/scopes/orders.read", #"{"colour":"blue"}"#, 400, "api.field_unknown", "colour"),
        ("PATCH", "/api/v1/servers/default/scopes/orders.read", #"{}"#, 400, "api.field_invalid", "description"),
        ("PATCH", "/api/v1/servers/default/scopes/nope", #"{"description":"x"}"#, 404, "api.not_found", ""),
        ("DELETE", "/api/v1/servers/default/scopes/nope", "", 404, "api.not_found", ""),
        ("DELETE", "/api/v1/servers/nowhere", "", 404, "api.not_found", ""),
        ("POST", "/api/v1/users/nobody/sign-out", "", 404, "api.not_found", ""),
        ("GET", "/api/v1/users/ada/sessions", "", 404, "api.not_found", ""),
    ])
    func badInputIsAProblemNamingTheFieldAndWritesNothing(method: String, uri: String, body: String, status: Int, reason: String, field: String) async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http async throws in
                let api = try await ManagementDriver.bootstrap(http, deployment)
                let token = try await api.token(Self.manageAll + ["tessera.keys.manage", "tessera.users.manage"])
                let before = try await deployment.stores.servers.listServers().count
                let answer = try await api.call(HTTPRequest.Method(method)!, uri, token: token, json: body.isEmpty ? nil : body)
                #expect(answer.status == status, "\(answer.text)")
                #expect(answer.reason == reason)
                #expect(answer.json["field"] as? String == (field.isEmpty ? nil : field))
                #expect(answer.header("Content-Type") == "application/problem+json")
                #expect((answer.json["detail"] as? String)?.isEmpty == false)
                #expect(try await deployment.stores.servers.listServers().count == before)
                #expect(try await deployment.stores.clients.listClients(server: "default").isEmpty)
            }
            let events = try await deployment.events(EventQuery(outcome: .failure, limit: 10))
            #expect(events.map(\.reason) == [reason])
        }
    }

    @Test func hostileBodiesAreRefusedBeforeAnythingIsRead() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http async throws in
                let api = try await ManagementDriver.bootstrap(http, deployment)
                let token = try await api.token(Self.manageAll)
                let headers: HTTPFields = [.authorization: "Bearer \(token)"]
                let huge = try await http.postRaw("/api/v1/servers", bytes: Array(repeating: UInt8(ascii: " "), count: 1 << 20), contentType: "application/json", headers: headers)
                #expect(huge.status == 413)
                let latin1 = try await http.postRaw("/api/v1/servers", bytes: Array(#"{"name":"caf"#.utf8) + [0xE9] + Array(#""}"#.utf8),
                                                    contentType: "application/json", headers: headers)
                #expect(latin1.status == 400)
                #expect(latin1.reason == "api.body_malformed")
                let form = try await http.postRaw("/api/v1/servers", bytes: Array("name=orders".utf8), headers: headers)
                #expect(form.status == 415)
                #expect(form.reason == "request.content_type")
                let deep = String(repeating: "[", count: 10_000)
                let nested = try await api.call(.post, "/api/v1/servers", token: token, json: #"{"name":"orders","claims":{"a":\#(deep)}}"#)
                #expect(nested.status == 400)
                #expect(try await deployment.stores.servers.server(named: "orders") == nil)
            }
        }
    }

    @Test func usersAndGroupsAreManagedWithoutAPasswordEverComingBack() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http async throws in
                let api = try await ManagementDriver.bootstrap(http, deployment)
                let token = try await api.token(["tessera.users.manage"])
                let created = try await api.call(.post, "/api/v1/users", token: token, json: #"{"username":"Ada","password":"correct horse battery","email":"ada@example.com"}"#)
                #expect(created.status == 201, "\(created.text)")
                let id = try #require(created.json["id"] as? String)
                #expect(created.json["username"] as? String == "ada")
                #expect(created.json["has_password"] as? Bool == true)
                #expect(!created.text.contains("correct horse") && !created.text.contains("scrypt"))
                #expect(try await api.call(.post, "/api/v1/groups", token: token, json: #"{"name":"staff"}"#).status == 201)
                #expect(try await api.call(.put, "/api/v1/groups/staff/members/ada", token: token).status == 200)
                let read = try await api.call(.get, "/api/v1/users/\(id)", token: token)
                #expect(read.json["groups"] as? [String] == ["staff"])
                let disabled = try await api.call(.patch, "/api/v1/users/ada", token: token, json: #"{"disabled":true,"email":"nope"}"#)
                #expect(disabled.status == 400)
                #expect(disabled.json["field"] as? String == "email")
                #expect(try await deployment.stores.users.user(id: id)?.disabled == false, "a refused change writes nothing")
                #expect(try await api.call(.patch, "/api/v1/users/ada", token: token, json: #"{"disabled":true}"#, headers: [.ifMatch: try #require(read.header("ETag"))]).status == 200)
                #expect(try await deployment.stores.users.user(id: id)?.disabled == true)
                #expect(try await api.call(.delete, "/api/v1/users/ada", token: token).status == 204)
                #expect(try await api.call(.get, "/api/v1/users/ada", token: token).status == 404)
            }
            let events = try await deployment.events(EventQuery(limit: 100))
            #expect(!events.contains { $0.message.contains("correct horse") || $0.detail.values.contains { $0.contains("correct horse") } })
        }
    }

    @Test func theSystemServerHasTheManagementScopesAndBootstrapWorksOnceUnlessForced() async throws {
        try await TestDeployment.with { deployment in
            let scopes = try await deployment.stores.scopes.scopes(server: SystemServer.name).map(\.name)
            #expect(Set(scopes) == Set(SystemServer.Scope.allCases.map(\.rawValue)))
            let key = try ClientKeyPair.generate(.es256)
            _ = try await deployment.admin.bootstrapAdminClient(name: "first", jwks: key.jwksDocument(), force: false)
            await #expect(throws: AdminError.self) { try await deployment.admin.bootstrapAdminClient(name: "again", jwks: key.jwksDocument(), force: false) }
            _ = try await deployment.admin.bootstrapAdminClient(name: "forced", jwks: key.jwksDocument(), force: true)
            #expect(try await deployment.stores.clients.listClients(server: SystemServer.name).count == 2)
            await #expect(throws: AdminError.self) {
                try await deployment.admin.createClient(server: "default", name: "sneaky", method: .clientSecretBasic, scopes: ["tessera.servers.manage"])
            }
        }
    }

    @Test func serversAndScopesAreDeletedOnlyWhenNothingDependsOnThemAndAClientCanKeepItsID() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http async throws in
                let api = try await ManagementDriver.bootstrap(http, deployment)
                let token = try await api.token(Self.manageAll)
                #expect(try await api.call(.post, "/api/v1/servers", token: token, json: #"{"name":"legacy"}"#).status == 201)
                #expect(try await api.call(.post, "/api/v1/servers/legacy/scopes", token: token, json: #"{"name":"legacy.read"}"#).status == 201)
                let kept = try await api.call(.post, "/api/v1/servers/legacy/clients", token: token,
                                              json: #"{"client_id":"moved-client-01","name":"old","token_endpoint_auth_method":"client_secret_basic","scopes":["legacy.read"]}"#)
                #expect(kept.status == 201, "\(kept.text)")
                #expect(kept.json["client_id"] as? String == "moved-client-01")
                let taken = try await api.call(.post, "/api/v1/servers/legacy/clients", token: token,
                                               json: #"{"client_id":"moved-client-01","name":"again","token_endpoint_auth_method":"client_secret_basic"}"#)
                #expect(taken.status == 409 && taken.reason == "api.conflict")
                let badID = try await api.call(.post, "/api/v1/servers/legacy/clients", token: token,
                                               json: #"{"client_id":"a b","name":"x","token_endpoint_auth_method":"client_secret_basic"}"#)
                #expect(badID.status == 400 && badID.json["field"] as? String == "client_id", "\(badID.text)")

                #expect(try await api.call(.post, "/api/v1/servers/legacy/scopes", token: token, json: #"{"name":"odd=name*/x"}"#).status == 201)
                #expect(try await api.call(.get, "/api/v1/servers/legacy/scopes/odd%3Dname%2A%2Fx", token: token).json["name"] as? String == "odd=name*/x",
                        "a path parameter is percent-decoded")
                #expect(try await api.call(.delete, "/api/v1/servers/legacy/scopes/odd%3Dname%2A%2Fx", token: token).status == 204)
                let described = try await api.call(.patch, "/api/v1/servers/legacy/scopes/legacy.read", token: token, json: #"{"description":"Read the old things"}"#)
                #expect(described.status == 200 && described.json["description"] as? String == "Read the old things")
                #expect(try await api.call(.get, "/api/v1/servers/legacy/scopes/legacy.read", token: token).json["description"] as? String == "Read the old things")
                let held = try await api.call(.delete, "/api/v1/servers/legacy/scopes/legacy.read", token: token)
                #expect(held.status == 409 && (held.json["detail"] as? String)?.contains("still granted to client moved-client-01") == true, "\(held.text)")
                let withClients = try await api.call(.delete, "/api/v1/servers/legacy", token: token)
                #expect(withClients.status == 409 && (withClients.json["detail"] as? String)?.contains("still has 1 client") == true, "\(withClients.text)")
                #expect(try await deployment.stores.servers.server(named: "legacy") != nil, "a refused deletion removes nothing")

                #expect(try await api.call(.delete, "/api/v1/clients/moved-client-01", token: token).status == 204)
                #expect(try await api.call(.delete, "/api/v1/servers/legacy/scopes/legacy.read", token: token).status == 204)
                #expect(try await api.call(.delete, "/api/v1/servers/legacy/scopes/legacy.read", token: token).status == 404)
                #expect(try await api.call(.delete, "/api/v1/servers/legacy", token: token).status == 204)
                #expect(try await deployment.stores.servers.server(named: "legacy") == nil)
                #expect(try await deployment.stores.keys.keys(server: "legacy").isEmpty)
                #expect(try await http.get("/oauth2/legacy/.well-known/openid-configuration").status == 404, "a deleted server's discovery is gone at once")

                let system = try await api.call(.delete, "/api/v1/servers/system", token: token)
                #expect(system.status == 409 && system.reason == "api.conflict")
                let builtIn = try await api.call(.delete, "/api/v1/servers/system/scopes/tessera.events.read", token: token)
                #expect(builtIn.status == 409, "\(builtIn.text)")
                let events = try await deployment.events(EventQuery(server: SystemServer.name, limit: 100)).filter { $0.endpoint == "management" }
                #expect(events.contains { $0.message == "deleted server legacy" && $0.clientID == api.adminID })
                #expect(events.contains { $0.message == "deleted scope legacy.read of server legacy" })
            }
        }
    }

    @Test func anAdminListsAUsersSessionsSignsTheUserOutAndUnlocksIt() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http async throws in
                let api = try await ManagementDriver.bootstrap(http, deployment)
                let driver = SignInDriver(http, deployment)
                let ada = try await driver.user("ada")
                let app = try await driver.client()
                let pkce = SignInDriver.PKCE.make()
                let code = try await driver.code(client: app, pkce: pkce, username: "ada")
                let tokens = try await driver.exchange(code, client: app, verifier: pkce.verifier)
                let refresh = try #require(tokens.json["refresh_token"] as? String)
                let token = try await api.token(["tessera.users.manage"])

                let listed = try await api.call(.get, "/api/v1/users/ada/sessions", token: token)
                #expect(listed.status == 200, "\(listed.text)")
                let sessions = try #require(listed.json["sessions"] as? [[String: Any]])
                #expect(sessions.count == 1 && sessions.first?["user_id"] as? String == ada.id)
                #expect(!listed.text.contains(driver.cookies["tessera_session"] ?? "no cookie"), "a session's cookie never comes back")

                let ended = try await api.call(.post, "/api/v1/users/ada/sign-out", token: token)
                #expect(ended.status == 200 && ended.json["sessions_ended"] as? Int == 1 && ended.json["refresh_families_revoked"] as? Int == 1, "\(ended.text)")
                #expect(try await driver.refresh(refresh, client: app).status == 400, "the refresh token of a signed-out user is revoked")
                #expect((try await api.call(.get, "/api/v1/users/ada/sessions", token: token).json["sessions"] as? [Any])?.isEmpty == true)

                // 50 failures from many addresses lock the user everywhere; unlocking ends that lock at once.
                let throttle = SignInThrottle(users: deployment.stores.users)
                for index in 0..<50 { _ = try await throttle.recordFailure(userID: ada.id, address: "198.51.100.\(index)", at: deployment.clock.now) }
                #expect(try await throttle.lock(userID: ada.id, address: "203.0.113.9", at: deployment.clock.now) != nil)
                #expect(try await api.call(.delete, "/api/v1/users/ada/lockout", token: token).status == 204)
                #expect(try await throttle.lock(userID: ada.id, address: "203.0.113.9", at: deployment.clock.now) == nil)
                #expect(try await api.call(.delete, "/api/v1/users/nobody/lockout", token: token).status == 404)
                let reader = try await api.token(["tessera.users.read"])
                #expect(try await api.call(.post, "/api/v1/users/ada/sign-out", token: reader).status == 403, "signing out needs users.manage")
            }
        }
    }
}
