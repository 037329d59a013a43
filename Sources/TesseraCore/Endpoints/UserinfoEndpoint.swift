import TesseraStore
import TesseraJSON

/// `GET|POST {issuer}/v1/userinfo` without HTTP (OIDC Core §5.3): the claims of the user behind a Bearer
/// access token with the `openid` scope, by the token's scopes. Errors are RFC 6750's (`invalid_token`
/// 401, `insufficient_scope` 403), with the challenge rendered by the HTTP layer.
public struct UserinfoEndpoint: Sendable {
    let verifier: TokenVerifier
    let directory: Directory

    public init(verifier: TokenVerifier, directory: Directory) {
        self.verifier = verifier
        self.directory = directory
    }

    public struct Outcome: Sendable {
        public var members: [(String, JSONValue)]
        public var event: EventFacts
    }

    public func handle(bearer token: String?, server: AuthorizationServer) async throws(OAuthError) -> Outcome {
        guard let token, !token.isEmpty else {
            throw OAuthError(.invalidToken, .tokenMissing, "userinfo needs an access token: send Authorization: Bearer <access token>", status: 401)
        }
        let (facts, _) = try await BearerCheck(verifier: verifier, directory: directory)
            .accessToken(token, server: server, hint: "sign the user in again to get a new access token")
        guard facts.username != nil else {
            throw OAuthError(.invalidToken, .userinfoNotUserToken,
                             "the access token was not issued for a signed-in user; userinfo answers only for tokens from the authorization code flow",
                             clientID: facts.clientID)
        }
        try BearerCheck.requireScope("openid", of: facts, allowed: facts.scopes.contains("openid"))
        let user = try await UserCheck.active(userID: facts.subject, clientID: facts.clientID, directory: directory)
        let groups = try await UserClaims.groups(of: user, scopes: facts.scopes, server: server, directory: directory)
        let members = [("sub", JSONValue.string(user.id))] + UserClaims.profile(of: user, scopes: facts.scopes, groups: groups, groupsClaim: server.groupsClaim)
        return Outcome(members: members, event: EventFacts(clientID: facts.clientID, message: "answered userinfo for user \(user.username)",
                                                           detail: ["user_id": user.id, "scope": facts.scopes.joined(separator: " ")]))
    }
}
