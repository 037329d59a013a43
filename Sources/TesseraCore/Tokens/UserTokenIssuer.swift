import Crypto
import Foundation
import TesseraStore
import TesseraJSON

/// The sign-in a user grant carries from the session to every token issued from it: in the code's
/// record, then in each refresh token's.
struct UserSignIn: Sendable {
    var userID: String
    var username: String
    var sid: String
    var authTime: Int64
    var acr: String
    var amr: [String]

    init(userID: String, username: String, claims: [String: JSONValue]) {
        self.userID = userID
        self.username = username
        sid = claims["sid"]?.string ?? ""
        authTime = Int64(claims["auth_time"]?.number ?? 0)
        acr = claims["acr"]?.string ?? "pwd"
        amr = claims["amr"]?.strings ?? ["pwd"]
    }

    /// What refresh token records keep of it.
    var claims: [String: JSONValue] {
        ["sid": .string(sid), "auth_time": .number(Double(authTime)), "acr": .string(acr), "amr": .array(amr.map(JSONValue.string))]
    }
}

/// Issues what a user grant (authorization code, refresh token) answers: an access token naming the
/// user, an ID token when `openid` was granted, and a rotated refresh token when `offline_access` was
/// granted to a client allowed the refresh_token grant. Every token is tied to the grant's family (the
/// code's hash), so revoking the family revokes them all.
struct UserTokenIssuer: Sendable {
    let issuer: AccessTokenIssuer
    let directory: Directory
    let clock: any WallClock

    /// `nonce` only for the code exchange (OIDC Core §3.1.3.6: refreshed ID tokens carry none);
    /// `grantedScopes`: the grant's scopes when the access token's were narrowed (the refresh token keeps them).
    func issue(signIn: UserSignIn, user: User, client: Client, server: AuthorizationServer, scopes: [String], audiences: [String],
               family: Data, nonce: String?, grantedScopes: [String]? = nil) async throws(OAuthError) -> TokenResponse {
        let granted = grantedScopes ?? scopes
        let groups = try await UserClaims.groups(of: user, scopes: scopes, server: server, directory: directory)
        var userClaims: [(String, JSONValue)] = [
            ("username", .string(user.username)), ("auth_time", .number(Double(signIn.authTime))), ("acr", .string(signIn.acr)), ("sid", .string(signIn.sid)),
        ]
        if server.groupsClaim { userClaims.append(("groups", .array(groups.map(JSONValue.string)))) }
        let issued = try await issuer.issueToken(subject: user.id, client: client, server: server, scopes: scopes, audiences: audiences,
                                                 user: userClaims, username: user.username, family: family)
        if issued.format == .jwt {
            try await storeCall("linking the access token to its grant") { () throws(StoreError) in
                try await directory.stores.tokens.linkJWT(parentHash: family, server: server.name, jti: issued.jti, expiresAt: issued.expiresAt)
            }
        }
        var response = issued.response
        if scopes.contains("openid") {
            response.idToken = try await idToken(signIn: signIn, user: user, client: client, server: server, scopes: scopes, groups: groups, nonce: nonce,
                                                 accessToken: issued.response.accessToken)
        }
        if granted.contains("offline_access") && client.grantTypes.contains("refresh_token") {
            response.refreshToken = try await refreshToken(signIn: signIn, user: user, client: client, server: server, scopes: granted,
                                                           audiences: audiences, family: family)
        }
        return response
    }

    private func refreshToken(signIn: UserSignIn, user: User, client: Client, server: AuthorizationServer, scopes: [String], audiences: [String],
                              family: Data) async throws(OAuthError) -> String? {
        let now = Date(timeIntervalSince1970: TimeInterval(clock.now.epochSeconds))
        let lifetimes = server.refreshLifetimes
        let absoluteEnd = Date(timeIntervalSince1970: TimeInterval(signIn.authTime + Int64(lifetimes.absolute)))
        let expiry = min(now.addingTimeInterval(TimeInterval(lifetimes.idle)), absoluteEnd)
        guard expiry > now else { return nil }  // the family reached its absolute end: no further refresh token
        let token = OpaqueToken.newRefreshToken()
        let record = TokenRecord(
            hash: Hashing.sha256(token), kind: .refreshToken, server: server.name, clientID: client.id, subject: user.id, username: user.username,
            scopes: scopes, audiences: audiences, claims: signIn.claims, jti: "RT." + SecureRandom.token(byteCount: 12), issuedAt: now,
            expiresAt: expiry, parentHash: family)
        try await storeCall("recording the refresh token") { () throws(StoreError) in try await directory.stores.tokens.saveToken(record) }
        return token
    }

    private func idToken(signIn: UserSignIn, user: User, client: Client, server: AuthorizationServer, scopes: [String], groups: [String],
                         nonce: String?, accessToken: String) async throws(OAuthError) -> String {
        let signer = try await issuer.currentSigner(of: server, clientID: client.id, \.idTokenSigner)
        let now = clock.now.epochSeconds
        var claims: [(String, JSONValue)] = [
            ("iss", .string(issuer.issuer(of: server))), ("sub", .string(user.id)), ("aud", .string(client.id)),
            ("exp", .number(Double(now + Int64(server.accessTokenTTL)))), ("iat", .number(Double(now))),
            ("auth_time", .number(Double(signIn.authTime))),
        ]
        if let nonce { claims.append(("nonce", .string(nonce))) }
        claims.append(("acr", .string(signIn.acr)))
        claims.append(("amr", .array(signIn.amr.map(JSONValue.string))))
        claims.append(("sid", .string(signIn.sid)))
        claims.append(("azp", .string(client.id)))
        claims.append(("at_hash", .string(Self.leftHalfHash(accessToken, algorithm: signer.algorithm))))
        claims.append(contentsOf: UserClaims.profile(of: user, scopes: scopes, groups: groups, groupsClaim: server.groupsClaim))
        do {
            return try signer.sign(payload: JSONWriter.object(claims))
        } catch {
            throw OAuthError(.serverError, .internalError, "the ID token could not be signed", detail: ["error": String(describing: error)], clientID: client.id)
        }
    }

    /// `at_hash` (OIDC Core §3.1.3.6): base64url of the left half of the hash of the access token, with
    /// the hash of the signing algorithm (SHA-512 for EdDSA over Ed25519).
    static func leftHalfHash(_ token: String, algorithm: String) -> String {
        let bytes = Array(token.utf8)
        let digest: [UInt8]
        switch algorithm {
        case "ES384", "RS384", "PS384": digest = Array(SHA384.hash(data: bytes))
        case "EdDSA", "ES512", "RS512", "PS512": digest = Array(SHA512.hash(data: bytes))
        default: digest = Array(SHA256.hash(data: bytes))
        }
        return Base64URL.encode(digest.prefix(digest.count / 2))
    }
}

/// The user's claims by scope (OIDC Core §5.4), for ID tokens and userinfo.
enum UserClaims {
    /// Whether the `groups` claim is given: the server always adds it, or the client asked for the scope.
    static func wantsGroups(scopes: [String], groupsClaim: Bool) -> Bool { groupsClaim || scopes.contains("groups") }

    /// The user's group names when the claim is given (one store read), else none read at all.
    static func groups(of user: User, scopes: [String], server: AuthorizationServer, directory: Directory) async throws(OAuthError) -> [String] {
        guard wantsGroups(scopes: scopes, groupsClaim: server.groupsClaim) else { return [] }
        return try await storeCall("loading the user's groups") { () throws(StoreError) in try await directory.stores.users.groups(ofUser: user.id) }
    }

    static func profile(of user: User, scopes: [String], groups: [String], groupsClaim: Bool) -> [(String, JSONValue)] {
        var claims: [(String, JSONValue)] = []
        if scopes.contains("profile") {
            claims.append(("preferred_username", .string(user.username)))
            if let name = user.displayName { claims.append(("name", .string(name))) }
            claims.append(("updated_at", .number(Double(user.updatedAt.epochSeconds))))
        }
        if scopes.contains("email"), let email = user.email {
            claims.append(("email", .string(email)))
            claims.append(("email_verified", .bool(user.emailVerified)))
        }
        if wantsGroups(scopes: scopes, groupsClaim: groupsClaim) { claims.append(("groups", .array(groups.map(JSONValue.string)))) }
        return claims
    }
}
