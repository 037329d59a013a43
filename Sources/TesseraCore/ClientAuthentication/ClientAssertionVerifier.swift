import Crypto
import Foundation
import JWTKit
import TesseraJWT
import TesseraStore

/// Checks a `client_secret_jwt` or `private_key_jwt` assertion (RFC 7523 §3, OIDC Core §9), each
/// violation with its own reason code and a description that says what was expected.
public struct ClientAssertionVerifier: Sendable {
    public static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    /// The header `typ` values of a client assertion (lowercased): a plain JWT, or the explicit type of
    /// draft-ietf-oauth-rfc7523bis. Any other names a different kind of JWT (`at+jwt`, an ID token's …),
    /// which must not be accepted as a client's credential (RFC 8725 §3.11).
    static let acceptedTypes: Set<String> = ["jwt", "application/jwt", "client-authentication+jwt", "application/client-authentication+jwt"]

    let keySource: ClientKeySource
    let replays: any ReplayStore
    let masterKey: MasterKey
    let clock: any WallClock
    let policy: AssertionPolicy

    public init(keySource: ClientKeySource, replays: any ReplayStore, masterKey: MasterKey, clock: any WallClock, policy: AssertionPolicy = AssertionPolicy()) {
        self.keySource = keySource
        self.replays = replays
        self.masterKey = masterKey
        self.clock = clock
        self.policy = policy
    }

    /// Decodes header and claims without verifying anything.
    public static func peek(_ assertion: String) throws(OAuthError) -> ParsedJWT<AssertionClaims> {
        guard assertion.utf8.count <= 16_384 else {
            throw OAuthError(.invalidClient, .assertionMalformed, "client_assertion is longer than 16384 bytes; an assertion is a short JWT")
        }
        do {
            return try ParsedJWT(parsing: assertion)
        } catch {
            let why = error.reason ?? "it cannot be read"
            throw OAuthError(.invalidClient, .assertionMalformed,
                             "client_assertion is not a well-formed JWT: \(why); expected three base64url parts without padding, a JSON header and JSON claims (iss, sub, aud, exp, jti; dates as numbers)",
                             detail: ["error": why])
        }
    }

    /// Verifies `assertion` for `client`. `acceptedAudiences` lists the issuer and the endpoint URLs
    /// an `aud` may name. Records the `jti` last, so a rejected assertion does not burn its jti.
    /// `parsed` is the result of `peek(assertion)` when the caller already has it (the assertion is parsed once).
    /// Returns the id of the client secret that made a `client_secret_jwt` signature (nil for keys).
    @discardableResult
    public func verify(_ assertion: String, parsed: ParsedJWT<AssertionClaims>? = nil, client: Client,
                       clientIDParameter: String?, acceptedAudiences: [String], maxLifetime: TimeInterval? = nil) async throws(OAuthError) -> String? {
        func fail(_ reason: ReasonCode, _ text: String, _ detail: [String: String] = [:]) -> OAuthError {
            OAuthError(.invalidClient, reason, text, detail: detail, clientID: client.id)
        }
        // The claims were decoded from the same bytes whose signature is checked below.
        let parsed = if let parsed { parsed } else { try Self.peek(assertion) }
        let header = parsed.header
        let claims = parsed.claims
        let method = client.authMethod
        if let typ = header.typ, !Self.acceptedTypes.contains(typ.lowercased()) {
            throw fail(.assertionTypNotAllowed,
                       "client_assertion typ \(quoted(typ)) names another kind of JWT; a client assertion has no typ, typ JWT or typ client-authentication+jwt (RFC 8725 §3.11)",
                       ["typ": typ])
        }
        guard let alg = header.alg else {
            throw fail(.assertionMalformed, "client_assertion has no alg in its header; expected one of \(method.assertionAlgorithms.joined(separator: ", "))")
        }
        guard method.assertionAlgorithms.contains(alg) else {
            throw fail(.assertionAlgNotAllowed,
                       "client_assertion alg \(quoted(alg)) is not allowed for client \(client.id), which authenticates with \(method.rawValue); expected one of \(method.assertionAlgorithms.joined(separator: ", "))",
                       ["alg": alg])
        }
        var secretID: String?
        if method == .clientSecretJWT {
            secretID = try verifyHMAC(parsed, alg: alg, client: client)
        } else {
            try await verifySignature(parsed, alg: alg, client: client)
        }
        try checkIdentity(claims, client: client, clientIDParameter: clientIDParameter)
        try checkAudience(claims, client: client, accepted: acceptedAudiences)
        let expiry = try checkTimes(claims, client: client, maxLifetime: maxLifetime ?? policy.maxLifetime)
        guard let jti = claims.jti, !jti.isEmpty else {
            throw fail(.assertionJTIMissing, "client_assertion has no jti; every assertion needs a unique jti")
        }
        let fresh: Bool = try await storeCall("the replay check") { () throws(StoreError) in try await replays.claim(clientID: client.id, jti: jti, expiresAt: expiry.addingTimeInterval(policy.clockSkew), now: clock.now) }
        guard fresh else {
            throw fail(.assertionReplayed, "client_assertion jti \(quoted(jti)) was already used by client \(client.id); make a new assertion with a new jti for every request", ["jti": jti])
        }
        return secretID
    }

    /// Most valid secrets a `client_secret_jwt` assertion without a matching `kid` is tried with (a
    /// rotation needs two; each try is an HMAC and a decryption).
    static let maximumSecretsTried = 4

    /// The MAC is checked over the signing input and signature that `peek` already split and decoded,
    /// with the secret the header's `kid` names, else with each valid secret, newest first; returns the
    /// id of the secret that made it. A MAC made with an expired secret is told apart.
    private func verifyHMAC(_ parsed: ParsedJWT<AssertionClaims>, alg: String, client: Client) throws(OAuthError) -> String {
        let now = clock.now
        let sealed = client.secrets.filter { $0.encrypted != nil }
        guard !sealed.isEmpty else {
            throw OAuthError(.invalidClient, .assertionSignatureInvalid, "client \(client.id) has no stored secret to verify client_secret_jwt; rotate its secret", clientID: client.id)
        }
        let named = parsed.header.kid.flatMap { kid in sealed.first { $0.id == kid } }
        let valid = named.map { $0.isValid(at: now) ? [$0] : [] } ?? Array(sealed.filter { $0.isValid(at: now) }.prefix(Self.maximumSecretsTried))
        for entry in valid where macMatches(parsed, alg: alg, entry: entry) {
            return entry.id
        }
        let expired = named.map { $0.isValid(at: now) ? [] : [$0] } ?? Array(sealed.filter { !$0.isValid(at: now) }.prefix(Self.maximumSecretsTried))
        if let used = expired.first(where: { macMatches(parsed, alg: alg, entry: $0) }), let at = used.expiresAt {
            throw OAuthError(.invalidClient, .clientAuthSecretExpired,
                             "client_assertion is signed with secret \(used.id) of client \(client.id), which expired at \(at.epochSeconds); sign with the client's current secret",
                             detail: ["secret_id": used.id], clientID: client.id)
        }
        throw OAuthError(.invalidClient, .assertionSignatureInvalid,
                         "client_assertion signature does not verify with any valid secret of client \(client.id); sign it with \(alg) over the current client secret",
                         clientID: client.id)
    }

    private func macMatches(_ parsed: ParsedJWT<AssertionClaims>, alg: String, entry: ClientSecretEntry) -> Bool {
        guard let sealed = entry.encrypted, let secret = try? masterKey.open(sealed) else { return false }
        let input = parsed.signingInput
        let key = SymmetricKey(data: secret)
        // swift-crypto checks the MAC in constant time.
        switch alg {
        case "HS384": return HMAC<SHA384>.isValidAuthenticationCode(parsed.signature, authenticating: input, using: key)
        case "HS512": return HMAC<SHA512>.isValidAuthenticationCode(parsed.signature, authenticating: input, using: key)
        default: return HMAC<SHA256>.isValidAuthenticationCode(parsed.signature, authenticating: input, using: key)
        }
    }

    private func verifySignature(_ parsed: ParsedJWT<AssertionClaims>, alg: String, client: Client) async throws(OAuthError) {
        let kid = parsed.header.kid
        let lookup = try await keySource.key(for: client, kid: kid)
        guard case .found(let key) = lookup else {
            var available: [String] = []
            if case .notFound(let kids) = lookup { available = kids }
            let source = client.jwksURI.map { "jwks_uri \($0)" } ?? "registered JWKS"
            let asked = kid.map { "kid \(quoted($0))" } ?? "no kid (and the key set has more than one key)"
            var replaced = ""
            if let ended = client.previousJWKSExpiresAt, ended <= clock.now, client.previousJWKS != nil {
                replaced = "; the keys the client had before its last key update stopped working at \(ended.epochSeconds)"
            }
            throw OAuthError(.invalidClient, .assertionKidUnknown,
                             "client_assertion names \(asked), which is not among client \(client.id)'s keys in its \(source); known kids: [\(available.joined(separator: ", "))]\(replaced)",
                             detail: ["kid": kid ?? "", "known": available.joined(separator: ",")], clientID: client.id)
        }
        if let problem = Self.algorithmProblem(alg: alg, key: key) {
            throw OAuthError(.invalidClient, .assertionAlgNotAllowed, "client_assertion alg \(quoted(alg)) \(problem)", detail: ["alg": alg], clientID: client.id)
        }
        let verifier: SignatureVerifier
        do {
            verifier = try await keySource.verifier(for: key, alg: alg)
        } catch {
            throw OAuthError(.invalidClient, .assertionKeysUnavailable,
                             "client \(client.id)'s key \(quoted(key.keyIdentifier?.string ?? "(no kid)")) cannot verify \(alg) signatures; re-register its JWKS",
                             detail: ["error": String(describing: error)], clientID: client.id)
        }
        guard parsed.isSigned(by: verifier) else {
            throw OAuthError(.invalidClient, .assertionSignatureInvalid,
                             "client_assertion signature does not verify with client \(client.id)'s key \(quoted(key.keyIdentifier?.string ?? "(no kid)")); sign with the private key of that kid",
                             clientID: client.id)
        }
    }

    /// Why `alg` cannot be used with `key` (the alg is pinned to the key type), or nil when it can.
    static func algorithmProblem(alg: String, key: JWK) -> String? {
        if let pinned = key.algorithm?.rawValue, pinned != alg {
            return "does not match the key's registered alg \(pinned)"
        }
        let compatible: Bool
        switch key.keyType {
        case .ecdsa:
            let curve = key.curve?.rawValue
            compatible = (alg == "ES256" && curve == "P-256") || (alg == "ES384" && curve == "P-384") || (alg == "ES512" && curve == "P-521")
        case .rsa: compatible = alg.hasPrefix("RS") || alg.hasPrefix("PS")
        case .octetKeyPair: compatible = alg == "EdDSA"
        default: compatible = false
        }
        return compatible ? nil : "does not fit the registered key (kty \(key.keyType.rawValue)\(key.curve.map { ", crv \($0.rawValue)" } ?? ""))"
    }

    private func checkIdentity(_ claims: AssertionClaims, client: Client, clientIDParameter: String?) throws(OAuthError) {
        guard claims.iss == client.id, claims.sub == client.id else {
            throw OAuthError(.invalidClient, .assertionIssuerMismatch,
                             "client_assertion iss and sub must both be the client id \(quoted(client.id)); got iss \(quoted(claims.iss ?? "(none)")) and sub \(quoted(claims.sub ?? "(none)"))",
                             detail: ["iss": claims.iss ?? "", "sub": claims.sub ?? ""], clientID: client.id)
        }
        if let parameter = clientIDParameter, parameter != client.id {
            throw OAuthError(.invalidClient, .clientAuthClientIDMismatch,
                             "client_id \(quoted(parameter)) does not match the client_assertion's iss/sub \(quoted(client.id))", clientID: client.id)
        }
    }

    private func checkAudience(_ claims: AssertionClaims, client: Client, accepted: [String]) throws(OAuthError) {
        // Every audience must be this server's: an assertion that also names another recipient could be
        // replayed there (draft-ietf-oauth-rfc7523bis), so one foreign value refuses the whole aud.
        let got = claims.aud?.values ?? []
        guard !got.isEmpty, got.allSatisfy(accepted.contains) else {
            let gotText = got.isEmpty ? "no aud" : got.map { quoted($0) }.joined(separator: ", ")
            let foreign = got.filter { !accepted.contains($0) }
            let because = got.isEmpty || foreign.count == got.count ? "" : " (\(foreign.map { quoted($0) }.joined(separator: ", ")) is not this server's; every aud value must be)"
            throw OAuthError(.invalidClient, .assertionAudienceMismatch,
                             "client_assertion aud must be one of [\(accepted.joined(separator: ", "))]; got \(gotText)\(because)",
                             detail: ["expected": accepted.joined(separator: " "), "received": got.joined(separator: " ")], clientID: client.id)
        }
    }

    /// `exp` present and not past, `nbf`/`iat` not ahead (within the skew), and `exp` at most `maxLifetime`
    /// after `iat` (or now).
    private func checkTimes(_ claims: AssertionClaims, client: Client, maxLifetime: TimeInterval) throws(OAuthError) -> Date {
        func fail(_ reason: ReasonCode, _ text: String) -> OAuthError {
            OAuthError(.invalidClient, reason, text, detail: ["now": String(clock.now.epochSeconds)], clientID: client.id)
        }
        let now = clock.now.timeIntervalSince1970
        let skew = policy.clockSkew
        guard let exp = claims.exp else {
            throw fail(.assertionExpMissing, "client_assertion has no exp; set exp at most \(Int(maxLifetime)) seconds in the future")
        }
        if exp + skew < now {
            throw fail(.assertionExpired, "client_assertion expired at \(Int64(saturating: exp)), \(Int64(saturating: now - exp)) seconds before the server's time \(Int64(saturating: now)); make a fresh assertion (and check the client's clock)")
        }
        if let nbf = claims.nbf, nbf > now + skew {
            throw fail(.assertionNotYetValid, "client_assertion nbf \(Int64(saturating: nbf)) is \(Int64(saturating: nbf - now)) seconds after the server's time \(Int64(saturating: now)); check the client's clock")
        }
        if let iat = claims.iat, iat > now + skew {
            throw fail(.assertionNotYetValid, "client_assertion iat \(Int64(saturating: iat)) is \(Int64(saturating: iat - now)) seconds after the server's time \(Int64(saturating: now)); check the client's clock")
        }
        let start = min(claims.iat ?? now, now)
        if exp - start > maxLifetime + skew {
            throw fail(.assertionLifetimeTooLong, "client_assertion exp is \(Int64(saturating: exp - start)) seconds after \(claims.iat == nil ? "now" : "iat"); the maximum lifetime on this server is \(Int(maxLifetime)) seconds (servers update --max-assertion-lifetime)")
        }
        return Date(timeIntervalSince1970: exp)
    }
}
