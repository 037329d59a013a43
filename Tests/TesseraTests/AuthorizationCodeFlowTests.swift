import Foundation
import Testing
import TesseraCore
import TesseraStore

/// Scenario 8 and 9 end to end over HTTP: authorize → sign-in form → consent → redirect with code →
/// token → userinfo → refresh (rotation) → introspection of both tokens → reuse of the old refresh
/// token kills the family → revocation → logout.
@Suite struct AuthorizationCodeFlowTests {
    static func claims(of jwt: String) -> [String: Any] {
        let parts = jwt.split(separator: ".")
        guard parts.count == 3, let bytes = Base64URL.decode(String(parts[1])) else { return [:] }
        return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
    }

    @Test func aConfidentialClientSignsAUserInRefreshesAndLosesTheFamilyOnReuse() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http in
                let driver = SignInDriver(http, deployment)
                let ada = try await driver.user("ada", groups: ["staff"])
                let app = try await driver.client()
                let pkce = SignInDriver.PKCE.make()

                let signInPage = try await driver.authorize(driver.authorizeParameters(client: app.id, pkce: pkce))
                #expect(signInPage.status == 200 && signInPage.text.contains("Sign in") && signInPage.text.contains("Web app"))
                #expect(signInPage.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
                let consentPage = try await driver.submit(signInPage, [("username", "Ada"), ("password", "correct horse battery")])
                #expect(consentPage.status == 200 && consentPage.text.contains("name=\"decision\""), "a third-party app asks for consent: \(consentPage.text.prefix(200))")
                #expect(consentPage.text.contains("See your email address") && consentPage.text.contains("orders.read"), "each scope with its description")
                #expect(driver.cookies["tessera_session"]?.hasPrefix("tes_ss_") == true, "the sign-in set the session cookie")
                let back = try await driver.submit(consentPage, [("decision", "allow")])
                #expect(back.status == 302)
                let redirect = SignInDriver.redirectParameters(back)
                #expect(back.header("Location")?.hasPrefix(SignInDriver.redirectURI + "?code=") == true)
                #expect(redirect["state"] == "s-123" && redirect["iss"] == deployment.defaultURLs.issuer, "state and iss (RFC 9207) come back: \(redirect)")
                let code = try #require(redirect["code"])

                let tokens = try await driver.exchange(code, client: app, verifier: pkce.verifier)
                #expect(tokens.status == 200, "\(tokens.text)")
                let accessToken = try #require(tokens.accessToken)
                let refreshToken = try #require(tokens.json["refresh_token"] as? String)
                let idToken = try #require(tokens.json["id_token"] as? String)
                let id = Self.claims(of: idToken)
                #expect(id["sub"] as? String == ada.id && id["aud"] as? String == app.id && id["nonce"] as? String == "n-456")
                #expect(id["iss"] as? String == deployment.defaultURLs.issuer && id["acr"] as? String == "pwd" && (id["sid"] as? String)?.hasPrefix("sid") == true)
                #expect(id["email"] as? String == "ada@example.com" && id["preferred_username"] as? String == "ada" && id["at_hash"] is String)
                #expect(id["auth_time"] as? Int == Int(deployment.clock.now.epochSeconds))
                let access = Self.claims(of: accessToken)
                #expect(access["sub"] as? String == ada.id && access["username"] as? String == "ada" && access["sid"] as? String == id["sid"] as? String)

                let userinfo = try await http.get(path(deployment.defaultURLs.userinfoEndpoint), headers: [.authorization: "Bearer \(accessToken)"])
                #expect(userinfo.status == 200 && userinfo.json["sub"] as? String == ada.id && userinfo.json["email"] as? String == "ada@example.com", "\(userinfo.text)")

                let accessAnswer = try await driver.introspect(accessToken, as: app)
                #expect(accessAnswer["active"] as? Bool == true && accessAnswer["username"] as? String == "ada" && accessAnswer["sub"] as? String == ada.id)
                #expect(accessAnswer["sid"] as? String == id["sid"] as? String && accessAnswer["acr"] as? String == "pwd" && accessAnswer["auth_time"] is Int)
                let refreshAnswer = try await driver.introspect(refreshToken, as: app)
                #expect(refreshAnswer["active"] as? Bool == true && refreshAnswer["token_type"] as? String == "refresh_token", "\(refreshAnswer)")
                #expect(refreshAnswer["client_id"] as? String == app.id && refreshAnswer["sub"] as? String == ada.id && refreshAnswer["username"] as? String == "ada")
                #expect(refreshAnswer["scope"] as? String == "openid profile email offline_access orders.read" && refreshAnswer["exp"] is Int && refreshAnswer["iat"] is Int)

                let rotated = try await driver.refresh(refreshToken, client: app, scope: "openid orders.read")
                #expect(rotated.status == 200, "\(rotated.text)")
                let newRefresh = try #require(rotated.json["refresh_token"] as? String)
                #expect(newRefresh != refreshToken && rotated.json["scope"] as? String == "openid orders.read", "the access token may be narrowed")
                #expect(try await driver.introspect(refreshToken, as: app)["active"] as? Bool == false, "the rotated refresh token is no longer active")
                let rotatedAccess = try #require(rotated.accessToken)

                let reuse = try await driver.refresh(refreshToken, client: app)
                #expect(reuse.status == 400 && reuse.error == "invalid_grant" && reuse.description.contains("already used"), "\(reuse.text)")
                #expect(try await driver.introspect(newRefresh, as: app)["active"] as? Bool == false, "the reuse revoked the newest refresh token")
                #expect(try await driver.introspect(rotatedAccess, as: app)["active"] as? Bool == false, "and the access tokens of the family")
                #expect(try await driver.introspect(accessToken, as: app)["active"] as? Bool == false)
                let reused = try await deployment.events().filter { $0.reason == ReasonCode.refreshReused.rawValue }
                #expect(reused.count == 1 && reused[0].detail["family_revoked"] == "true" && reused[0].clientID == app.id)

                let logout = try await driver.send(path(deployment.defaultURLs.endSessionEndpoint) + "?id_token_hint=\(idToken)", method: .get, form: nil)
                #expect(logout.status == 200 && logout.text.contains("signed out") && driver.cookies["tessera_session"] == nil, "\(logout.status)")
                #expect(try await deployment.admin.sessions(ofUser: ada.id).isEmpty, "logout ended the stored session")
                let again = try await driver.authorize(driver.authorizeParameters(client: app.id, pkce: pkce))
                #expect(again.text.contains("id=\"password\""), "after logout the sign-in page comes again")
            }
        }
    }

    @Test func aPublicClientUsesPKCEAloneAndRevokingItsRefreshTokenRevokesTheFamily() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http in
                let driver = SignInDriver(http, deployment)
                _ = try await driver.user("grace")
                let app = try await driver.client(public: true, firstParty: true, redirectURIs: ["http://127.0.0.1/callback"])
                let pkce = SignInDriver.PKCE.make()
                let parameters = driver.authorizeParameters(client: app.id, pkce: pkce, redirectURI: "http://127.0.0.1:49152/callback")
                let page = try await driver.authorize(parameters)
                let back = try await driver.submit(page, [("username", "grace"), ("password", "correct horse battery")])
                #expect(back.status == 302, "a first-party app gets no consent page, and a loopback redirect matches with any port: \(back.text.prefix(200))")
                let code = try #require(SignInDriver.redirectParameters(back)["code"])
                let tokens = try await driver.exchange(code, client: app, verifier: pkce.verifier, redirectURI: "http://127.0.0.1:49152/callback")
                #expect(tokens.status == 200, "\(tokens.text)")
                let refresh = try #require(tokens.json["refresh_token"] as? String)
                let access = try #require(tokens.accessToken)
                let revoke = try await http.post(path(deployment.defaultURLs.revocationEndpoint), form: [("token", refresh), ("client_id", app.id)])
                #expect(revoke.status == 200, "\(revoke.text)")
                let resourceServer = try await deployment.register(.clientSecretBasic)
                try await deployment.admin.stores.clients.updateClient({ var c = try await deployment.admin.requireClient(resourceServer.id); c.introspectableResources = ["api://default"]; return c }())
                #expect(try await driver.introspect(access, as: resourceServer)["active"] as? Bool == false, "revoking the refresh token revoked its access token")
                let after = try await driver.refresh(refresh, client: app)
                #expect(after.error == "invalid_grant")

                // A second sign-in of the same browser needs no password (the session), and prompt=none works then.
                let silent = try await driver.authorize(driver.authorizeParameters(client: app.id, pkce: pkce, redirectURI: "http://127.0.0.1/callback",
                                                                                   extra: [("prompt", "none")]))
                #expect(silent.status == 302 && SignInDriver.redirectParameters(silent)["code"] != nil, "\(silent.status) \(silent.header("Location") ?? "")")
            }
        }
    }

    @Test func declinedConsentGoesBackAsAccessDeniedAndASecondSignInEndsTheFirstSession() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http in
                let driver = SignInDriver(http, deployment)
                let ada = try await driver.user("ada")
                let app = try await driver.client()
                let pkce = SignInDriver.PKCE.make()
                let page = try await driver.authorize(driver.authorizeParameters(client: app.id, pkce: pkce))
                let consent = try await driver.submit(page, [("username", "ada"), ("password", "correct horse battery")])
                let denied = try await driver.submit(consent, [("decision", "deny")])
                let redirect = SignInDriver.redirectParameters(denied)
                #expect(denied.status == 302 && redirect["error"] == "access_denied" && redirect["state"] == "s-123" && redirect["code"] == nil, "\(redirect)")
                #expect(try await deployment.events().contains { $0.reason == ReasonCode.authorizeAccessDenied.rawValue })
                let first = try #require(driver.cookies["tessera_session"])
                let again = try await driver.authorize(driver.authorizeParameters(client: app.id, pkce: pkce, extra: [("prompt", "login")]))
                #expect(again.text.contains("id=\"password\""), "prompt=login asks for the password despite the session")
                _ = try await driver.submit(again, [("username", "ada"), ("password", "correct horse battery")])
                #expect(driver.cookies["tessera_session"] != first, "a new session cookie")
                #expect(try await deployment.admin.sessions(ofUser: ada.id).count == 1, "the first session ended with the second sign-in")
            }
        }
    }

    @Test func usersSignOutEndsSessionsAndRevokesRefreshFamilies() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http in
                let driver = SignInDriver(http, deployment)
                let ada = try await driver.user("ada")
                let app = try await driver.client(firstParty: true)
                let pkce = SignInDriver.PKCE.make()
                let tokens = try await driver.exchange(try await driver.code(client: app, pkce: pkce, username: "ada"), client: app, verifier: pkce.verifier)
                let refresh = try #require(tokens.json["refresh_token"] as? String)
                #expect(try await deployment.admin.sessions(ofUser: ada.id).count == 1)
                let ended = try await deployment.admin.signOut(ada.id)
                #expect(ended.sessions == 1 && ended.families == 1)
                #expect(try await deployment.admin.sessions(ofUser: ada.id).isEmpty)
                #expect(try await driver.refresh(refresh, client: app).error == "invalid_grant")
                #expect(try await driver.introspect(try #require(tokens.accessToken), as: app)["active"] as? Bool == false)
                let page = try await driver.authorize(driver.authorizeParameters(client: app.id, pkce: pkce))
                #expect(page.text.contains("id=\"password\""), "the browser's session ended with the sign-out")
            }
        }
    }

    @Test func theGroupsClaimReachesTokensIDTokensAndUserinfo() async throws {
        try await TestDeployment.with { deployment in
            try await deployment.http { http in
                let driver = SignInDriver(http, deployment)
                _ = try await driver.user("ada", groups: ["admins", "staff"])
                _ = try await deployment.admin.updateServerSignIn(name: "default", groupsClaim: true)
                let app = try await driver.client(firstParty: true)
                let pkce = SignInDriver.PKCE.make()
                let code = try await driver.code(client: app, pkce: pkce, username: "ada", scope: "openid orders.read")
                let tokens = try await driver.exchange(code, client: app, verifier: pkce.verifier)
                #expect(Self.claims(of: try #require(tokens.accessToken))["groups"] as? [String] == ["admins", "staff"])
                #expect(Self.claims(of: try #require(tokens.json["id_token"] as? String))["groups"] as? [String] == ["admins", "staff"])
                #expect(tokens.json["refresh_token"] == nil, "no offline_access asked: no refresh token")
                let userinfo = try await http.get(path(deployment.defaultURLs.userinfoEndpoint), headers: [.authorization: "Bearer \(try #require(tokens.accessToken))"])
                #expect(userinfo.json["groups"] as? [String] == ["admins", "staff"] && userinfo.json["email"] == nil, "email needs the email scope: \(userinfo.text)")
            }
        }
    }
}
