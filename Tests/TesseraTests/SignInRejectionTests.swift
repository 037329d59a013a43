import Foundation
import Testing
import TesseraCore
import TesseraStore

/// Every refusal of the authorization code flow answers with its RFC error and an explaining sentence,
/// leaves an event with its reason code, and is never a 500 — on the error page while the redirect URI
/// cannot be trusted, in the redirect afterwards, in the token endpoint's JSON.
@Suite struct SignInRejectionTests {
    /// The newest event with `reason`, after writing the queue.
    static func event(_ deployment: TestDeployment, _ reason: ReasonCode) async throws -> Event? {
        try await deployment.events().last { $0.reason == reason.rawValue }
    }

    @Test func requestsWithoutATrustworthyRedirectURIAreShownAnErrorPageNeverRedirected() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http in
                let driver = SignInDriver(http, deployment)
                let app = try await driver.client()
                let pkce = SignInDriver.PKCE.make()
                let cases: [([(String, String)], ReasonCode)] = [
                    (driver.authorizeParameters(client: app.id, pkce: pkce, redirectURI: "https://evil.example.com/callback"), .authorizeRedirectURIMismatch),
                    (driver.authorizeParameters(client: app.id, pkce: pkce, redirectURI: SignInDriver.redirectURI + "/../steal"), .authorizeRedirectURIMismatch),
                    (driver.authorizeParameters(client: app.id, pkce: pkce, redirectURI: "https://app.example.com/callback?next=https://evil.example.com"),
                     .authorizeRedirectURIMismatch),
                    (driver.authorizeParameters(client: app.id, pkce: pkce).filter { $0.0 != "redirect_uri" }, .requestMissingParameter),
                    (driver.authorizeParameters(client: "0oaNOBODY", pkce: pkce), .authorizeUnknownClient),
                    (driver.authorizeParameters(client: app.id, pkce: pkce).filter { $0.0 != "client_id" }, .requestMissingParameter),
                ]
                for (parameters, reason) in cases {
                    let answer = try await driver.authorize(parameters)
                    #expect(answer.status == 400 && answer.header("Location") == nil, "\(reason): \(answer.status) \(answer.header("Location") ?? "")")
                    #expect(answer.text.contains("This sign-in cannot continue") && answer.text.contains(reason.rawValue), "\(reason)")
                    let requestID = try #require(answer.header("X-Request-Id"))
                    #expect(answer.text.contains(requestID), "the page names the request id")
                    let events = try await deployment.events(EventQuery(requestID: requestID))
                    #expect(events.count == 1 && events[0].reason == reason.rawValue && events[0].outcome == .failure && events[0].endpoint == "authorize")
                }
            }
        }
    }

    @Test func laterErrorsRedirectWithErrorDescriptionStateAndIss() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http in
                let driver = SignInDriver(http, deployment)
                let app = try await driver.client()
                let pkce = SignInDriver.PKCE.make()
                let base = driver.authorizeParameters(client: app.id, pkce: pkce)
                let cases: [([(String, String)], String, ReasonCode)] = [
                    (driver.authorizeParameters(client: app.id, pkce: nil), "invalid_request", .authorizePKCEMissing),
                    (driver.authorizeParameters(client: app.id, pkce: nil, extra: [("code_challenge", pkce.verifier), ("code_challenge_method", "plain")]),
                     "invalid_request", .authorizePKCEMethod),
                    (driver.authorizeParameters(client: app.id, pkce: nil, extra: [("code_challenge", "short"), ("code_challenge_method", "S256")]),
                     "invalid_request", .authorizePKCEMalformed),
                    (base.map { $0.0 == "response_type" ? ("response_type", "token") : $0 }, "unsupported_response_type", .authorizeResponseTypeUnsupported),
                    (base.map { $0.0 == "scope" ? ("scope", "openid admin.everything") : $0 }, "invalid_scope", .scopeNotDefined),
                    (base + [("prompt", "none")], "login_required", .authorizeLoginRequired),
                    (base + [("prompt", "none login")], "invalid_request", .authorizeParameterInvalid),
                    (base + [("request_uri", "https://app.example.com/request.jwt")], "request_not_supported", .authorizeRequestObject),
                ]
                for (parameters, code, reason) in cases {
                    let answer = try await driver.authorize(parameters)
                    let redirect = SignInDriver.redirectParameters(answer)
                    #expect(answer.status == 302 && answer.header("Location")?.hasPrefix(SignInDriver.redirectURI + "?") == true, "\(reason): \(answer.status)")
                    #expect(redirect["error"] == code && redirect["state"] == "s-123" && redirect["iss"] == deployment.defaultURLs.issuer, "\(reason): \(redirect)")
                    #expect((redirect["error_description"] ?? "").count > 20, "a sentence explains \(reason): \(redirect["error_description"] ?? "")")
                    #expect(try await Self.event(deployment, reason) != nil, "\(reason) is in the event log")
                }
                let noCodeFlow = try await driver.client(redirectURIs: [SignInDriver.redirectURI], grantTypes: ["client_credentials"]).id
                _ = noCodeFlow
            }
        }
    }

    @Test func theSignInFormRefusesWrongPasswordsLocksAfterFiveAndRefusesDisabledUsersAndForgedForms() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http in
                let driver = SignInDriver(http, deployment)
                let ada = try await driver.user("ada")
                _ = try await driver.user("bob")
                let app = try await driver.client()
                let page = try await driver.authorize(driver.authorizeParameters(client: app.id, pkce: SignInDriver.PKCE.make()))

                let forged = try await driver.submit(page, [("username", "ada"), ("password", "correct horse battery")], dropping: ["csrf_token"])
                #expect(forged.status == 403 && SignInDriver.alert(forged.text)?.contains("form expired") == true)
                #expect(try await Self.event(deployment, .signInCSRF) != nil)
                let otherToken = try await driver.submit(page, [("username", "ada"), ("password", "correct horse battery"), ("csrf_token", "A" + String(repeating: "b", count: 42))],
                                                         dropping: ["csrf_token"])
                #expect(otherToken.status == 403, "a CSRF token that is not the cookie's is refused too")

                for attempt in 1...4 {
                    let wrong = try await driver.submit(page, [("username", "ada"), ("password", "not the password")])
                    #expect(wrong.status == 401 && SignInDriver.alert(wrong.text) == "wrong username or password", "attempt \(attempt)")
                    #expect(wrong.text.contains("value=\"ada\""), "the username stays in the field")
                }
                let fifth = try await driver.submit(page, [("username", "ada"), ("password", "not the password")])
                #expect(fifth.status == 429 && SignInDriver.alert(fifth.text)?.contains("locked until") == true, "\(SignInDriver.alert(fifth.text) ?? "")")
                let correctButLocked = try await driver.submit(page, [("username", "ada"), ("password", "correct horse battery")])
                #expect(correctButLocked.status == 429, "the right password does not open a locked account")
                let lock = try #require(try await Self.event(deployment, .signInLocked))
                #expect(lock.detail["user_id"] == ada.id && lock.detail["lock"] == "user_address")
                #expect(try await deployment.events().filter { $0.reason == ReasonCode.signInWrongCredentials.rawValue }.count == 4)
                let unknown = try await driver.submit(page, [("username", "nobody"), ("password", "whatever it is")])
                #expect(unknown.status == 401 && SignInDriver.alert(unknown.text) == "wrong username or password", "an unknown user reads the same")

                _ = try await deployment.admin.updateUser("bob") { $0.disabled = true }
                let disabled = try await driver.submit(page, [("username", "bob"), ("password", "correct horse battery")])
                #expect(disabled.status == 403 && SignInDriver.alert(disabled.text)?.contains("disabled") == true)

                deployment.clock.advance(by: 901)
                let afterWindow = try await driver.submit(page, [("username", "ada"), ("password", "correct horse battery")])
                #expect(afterWindow.status == 200 && afterWindow.text.contains("name=\"decision\""), "the lock ends with its window")
            }
        }
    }

    @Test func theTokenEndpointRefusesBadCodesVerifiersClientsAndRefreshTokens() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http in
                let driver = SignInDriver(http, deployment)
                _ = try await driver.user("ada")
                let app = try await driver.client(firstParty: true)
                let other = try await driver.client(firstParty: true)
                let pkce = SignInDriver.PKCE.make()

                let wrongVerifier = try await driver.exchange(try await driver.code(client: app, pkce: pkce, username: "ada"), client: app, verifier: "x" + pkce.verifier)
                #expect(wrongVerifier.error == "invalid_grant" && wrongVerifier.description.contains("code_verifier"))
                let noVerifier = try await driver.token([("grant_type", "authorization_code"), ("code", try await driver.code(client: app, pkce: pkce, username: "ada")),
                                                          ("redirect_uri", SignInDriver.redirectURI)], client: app)
                #expect(noVerifier.error == "invalid_request" && noVerifier.description.contains("code_verifier"))
                let foreign = try await driver.exchange(try await driver.code(client: app, pkce: pkce, username: "ada"), client: other, verifier: pkce.verifier)
                #expect(foreign.error == "invalid_grant" && foreign.description.contains("another client"))
                let wrongRedirect = try await driver.exchange(try await driver.code(client: app, pkce: pkce, username: "ada"), client: app, verifier: pkce.verifier,
                                                              redirectURI: "https://app.example.com/other")
                #expect(wrongRedirect.error == "invalid_grant" && wrongRedirect.description.contains("redirect_uri"))

                let late = try await driver.code(client: app, pkce: pkce, username: "ada")
                deployment.clock.advance(by: 61)
                let expired = try await driver.exchange(late, client: app, verifier: pkce.verifier)
                #expect(expired.error == "invalid_grant" && expired.description.contains("expired"))

                let code = try await driver.code(client: app, pkce: pkce, username: "ada")
                let first = try await driver.exchange(code, client: app, verifier: pkce.verifier)
                let access = try #require(first.accessToken)
                let reused = try await driver.exchange(code, client: app, verifier: pkce.verifier)
                #expect(reused.error == "invalid_grant" && reused.description.contains("already used"))
                #expect(try await driver.introspect(access, as: app)["active"] as? Bool == false, "a reused code revokes what the first use got")
                #expect(try await driver.refresh(try #require(first.json["refresh_token"] as? String), client: app).error == "invalid_grant")

                let fresh = try await driver.exchange(try await driver.code(client: app, pkce: pkce, username: "ada"), client: app, verifier: pkce.verifier)
                let refresh = try #require(fresh.json["refresh_token"] as? String)
                let stolen = try await driver.refresh(refresh, client: other)
                #expect(stolen.error == "invalid_grant" && stolen.description.contains("another client"))
                let widened = try await driver.refresh(refresh, client: app, scope: "openid orders.write")
                #expect(widened.error == "invalid_scope", "\(widened.text)")
                #expect(try await driver.refresh(refresh, client: app).status == 200, "refusals for another client or a wider scope do not use the token up")
                let unknown = try await driver.refresh("tes_rt_" + String(repeating: "x", count: 43), client: app)
                #expect(unknown.error == "invalid_grant")
                let cc = try await driver.token([("grant_type", "client_credentials")], client: app)
                #expect(cc.error == "unauthorized_client" && cc.description.contains("client_credentials"), "a code-flow client has no client_credentials: \(cc.text)")

                let beforeDisable = try await driver.exchange(try await driver.code(client: app, pkce: pkce, username: "ada"), client: app, verifier: pkce.verifier)
                _ = try await deployment.admin.updateUser("ada") { $0.disabled = true }
                let disabledRefresh = try await driver.refresh(try #require(beforeDisable.json["refresh_token"] as? String), client: app)
                #expect(disabledRefresh.error == "invalid_grant" && disabledRefresh.description.contains("disabled"), "a disabled user gets no new tokens")

                for reason in [ReasonCode.grantUserUnavailable, .codeVerifierMismatch, .codeVerifierMissing, .codeClientMismatch, .codeRedirectURIMismatch, .codeExpired, .codeReused,
                               .refreshClientMismatch, .refreshScopeWidened, .refreshUnknown, .grantNotAllowed] {
                    #expect(try await Self.event(deployment, reason) != nil, "\(reason) is in the event log")
                }
                #expect(try await deployment.events().allSatisfy { $0.detail.values.allSatisfy { !$0.contains(refresh) && !$0.contains(access) } },
                        "no event carries a whole token")
            }
        }
    }

    @Test func logoutRedirectsOnlyToRegisteredURIsAndUserinfoAnswersRFC6750Errors() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http in
                let driver = SignInDriver(http, deployment)
                _ = try await driver.user("ada")
                let app = try await driver.client(firstParty: true, postLogout: ["https://app.example.com/bye"])
                let pkce = SignInDriver.PKCE.make()
                let tokens = try await driver.exchange(try await driver.code(client: app, pkce: pkce, username: "ada", scope: "orders.read openid"), client: app,
                                                       verifier: pkce.verifier)
                let idToken = try #require(tokens.json["id_token"] as? String)
                let logoutPath = path(deployment.defaultURLs.endSessionEndpoint)
                let evil = try await driver.send(logoutPath + "?" + HTTPDriver.encode([("id_token_hint", idToken), ("post_logout_redirect_uri", "https://evil.example.com/")]),
                                                 method: .get, form: nil)
                #expect(evil.status == 400 && evil.header("Location") == nil && evil.text.contains("post_logout_redirect_uri"))
                #expect(driver.cookies["tessera_session"] != nil, "a refused logout keeps the session")
                let forged = try await driver.send(logoutPath + "?id_token_hint=eyJhbGciOiJub25lIn0.e30.", method: .get, form: nil)
                #expect(forged.status == 400 && forged.text.contains(ReasonCode.logoutHintInvalid.rawValue))
                let good = try await driver.send(logoutPath + "?" + HTTPDriver.encode([("id_token_hint", idToken), ("post_logout_redirect_uri", "https://app.example.com/bye"),
                                                                                       ("state", "x y")]), method: .get, form: nil)
                #expect(good.status == 302 && good.header("Location") == "https://app.example.com/bye?state=x+y", "\(good.header("Location") ?? "")")
                #expect(driver.cookies["tessera_session"] == nil, "logout ended the session")

                let userinfo = path(deployment.defaultURLs.userinfoEndpoint)
                let none = try await http.get(userinfo)
                #expect(none.status == 401 && none.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
                let machine = try await deployment.register(.clientSecretPost)
                let machineToken = try await http.post(path(deployment.defaultURLs.tokenEndpoint),
                                                       form: [("grant_type", "client_credentials"), ("client_id", machine.id), ("client_secret", machine.secret ?? "")])
                let notUser = try await http.get(userinfo, headers: [.authorization: "Bearer \(try #require(machineToken.accessToken))"])
                #expect(notUser.status == 401 && notUser.error == "invalid_token" && notUser.description.contains("signed-in user"))
                let noOpenID = try await driver.exchange(try await driver.code(client: app, pkce: pkce, username: "ada", scope: "orders.read"), client: app,
                                                         verifier: pkce.verifier)
                let scopeless = try await http.get(userinfo, headers: [.authorization: "Bearer \(try #require(noOpenID.accessToken))"])
                #expect(scopeless.status == 403 && scopeless.error == "insufficient_scope" && scopeless.header("WWW-Authenticate")?.contains("openid") == true)
            }
        }
    }
}
