import Foundation
import JWTKit
import TesseraJWT
import Synchronization
import TesseraStore
import TesseraJSON

/// Decides whether a token presented to this server is active: JWT access tokens (signature,
/// `typ`, issuer, `exp`/`nbf`, deny list) and opaque tokens (one indexed read).
///
/// A JWT's verification result and an active opaque token's record are cached by the token's digest
/// until `exp`, so a token seen before costs a hash and a dictionary lookup; the deny-list probe is
/// cached too, in the same entry: an entry found not denied keeps the deny epoch it was probed in, and a
/// revocation moves the epoch, so a second table keyed by (server, jti) is only read for tokens probed
/// before the last revocation. Revocations here drop the deny-list cache and the cached opaque records; a
/// revocation or a change of keys in the change feed (another node, the admin CLI) drops everything.
public final class TokenVerifier: Sendable {
    static let registeredClaims: Set<String> = ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope", "username"]

    let directory: Directory
    let tokens: any TokenStore
    let clock: any WallClock
    let publicURL: String
    let maxCachedTokens: Int
    private let verified: Mutex<BoundedTable<TokenDigest, VerifiedEntry>>
    /// Moved by every revocation seen here: an entry probed in an older epoch is probed again.
    private let denyEpoch = Atomic<UInt64>(0)
    /// Deny-list answers by (server, jti): two strings as the key, no concatenation per lookup.
    private let denied: Mutex<BoundedTable<DenyListKey, Bool>>

    public init(directory: Directory, tokens: any TokenStore, clock: any WallClock, publicURL: String, maxCachedTokens: Int = 100_000) {
        self.directory = directory
        self.tokens = tokens
        self.clock = clock
        self.publicURL = publicURL
        self.maxCachedTokens = maxCachedTokens
        verified = Mutex(BoundedTable(capacity: maxCachedTokens))
        denied = Mutex(BoundedTable(capacity: maxCachedTokens))
    }

    /// Checks `token` as a token of `server`.
    public func check(_ token: String, server: AuthorizationServer) async throws(OAuthError) -> TokenCheck {
        let digest = TokenDigest(of: token)
        let now = clock.now.epochSeconds
        let epoch = denyEpoch.load(ordering: .acquiring)
        let facts: TokenFacts
        if let cached = verified.withLock({ $0.value(for: digest) }), cached.facts.server == server.name {
            facts = cached.facts
            // An opaque record's revocation is in the record itself: cached records are dropped when a
            // revocation happens here or the change version moves, so no deny-list probe is needed.
            if facts.format == .opaque || cached.notDeniedInEpoch == epoch { return Self.timing(facts, now: now) ?? .active(facts) }
        } else if OpaqueToken.looksOpaque(token) {
            return try await checkOpaque(digest: digest, server: server, now: now)
        } else {
            switch try await verifyJWT(token, digest: digest, server: server) {
            case .active(let fresh): facts = fresh
            case .inactive(let reason, let detail): return .inactive(reason, detail: detail)
            }
            remember(facts, notDeniedInEpoch: nil)
        }
        if let timing = Self.timing(facts, now: now) { return timing }
        if try await isDenied(server: server.name, jti: facts.jti) {
            return .inactive(.tokenRevoked, detail: ["jti": facts.jti])
        }
        // Reached for a token verified just now or probed before the last revocation.
        remember(facts, notDeniedInEpoch: epoch)
        return .active(facts)
    }

    /// Records a revocation made through this node: the deny-list cache and the cached opaque records
    /// are dropped (revoking a refresh token revokes access tokens whose hashes are not at hand).
    public func revocationHappened() {
        denyEpoch.add(1, ordering: .releasing)
        denied.withLock { $0.removeAll() }
        verified.withLock { $0.removeAll { $0.facts.format != .jwt } }
    }

    /// Drops every cache (another node or process changed the data).
    public func invalidateAll() {
        denyEpoch.add(1, ordering: .releasing)
        verified.withLock { $0.removeAll() }
        denied.withLock { $0.removeAll() }
    }

    private static func timing(_ facts: TokenFacts, now: Int64) -> TokenCheck? {
        if facts.expiresAt <= now { return .inactive(.tokenExpired, detail: ["exp": String(facts.expiresAt), "jti": facts.jti]) }
        if facts.notBefore > now + 30 { return .inactive(.tokenNotYetValid, detail: ["nbf": String(facts.notBefore), "jti": facts.jti]) }
        return nil
    }

    private func isDenied(server: String, jti: String) async throws(OAuthError) -> Bool {
        let key = DenyListKey(server: server, jti: jti)
        if let known = denied.withLock({ $0.value(for: key) }) { return known }
        let result = try await storeCall("the revocation check") { () throws(StoreError) in try await tokens.isDenied(server: server, jti: jti) }
        denied.withLock { $0.set(result, for: key) }
        return result
    }

    /// Bounded with the least recently used going first (clearing everything when full made a working set
    /// just above the bound verify every token again).
    /// `notDeniedInEpoch`: the deny epoch read before the deny-list probe that found the token not denied
    /// (a revocation meanwhile moved it, so the entry is probed again next time); nil for opaque records.
    private func remember(_ facts: TokenFacts, notDeniedInEpoch epoch: UInt64?) {
        verified.withLock { $0.set(VerifiedEntry(facts: facts, notDeniedInEpoch: epoch), for: facts.digest) }
    }

    private func checkOpaque(digest: TokenDigest, server: AuthorizationServer, now: Int64) async throws(OAuthError) -> TokenCheck {
        let hash = digest.data
        let found: TokenRecord? = try await storeCall("the token lookup") { () throws(StoreError) in try await tokens.token(hash: hash) }
        guard let record = found else { return .inactive(.tokenUnknown, detail: ["hash_prefix": Self.hashPrefix(hash)]) }
        guard record.server == server.name else {
            return .inactive(.tokenOtherServer, detail: ["issued_by": record.server, "jti": record.jti])
        }
        guard record.kind == .accessToken || record.kind == .refreshToken else {
            return .inactive(.tokenUnknown, detail: ["hash_prefix": Self.hashPrefix(hash), "kind": record.kind.rawValue])
        }
        guard !record.revoked else { return .inactive(.tokenRevoked, detail: ["jti": record.jti]) }
        if record.usedAt != nil { return .inactive(.tokenRevoked, detail: ["jti": record.jti, "rotated": String(record.usedAt?.epochSeconds ?? 0)]) }
        var facts = TokenFacts(
            kind: record.kind, format: .opaque, server: record.server, issuer: IssuerURLs(publicURL: publicURL, server: record.server).issuer,
            clientID: record.clientID, subject: record.subject, username: record.username, scopes: record.scopes,
            audiences: record.audiences, jti: record.jti, issuedAt: record.issuedAt.epochSeconds, notBefore: record.notBefore.epochSeconds,
            expiresAt: record.expiresAt.epochSeconds, customClaims: record.claims, digest: digest)
        facts.family = record.parentHash ?? (record.kind == .refreshToken ? record.hash : nil)
        if let timing = Self.timing(facts, now: now) { return timing }
        // A refresh token stops being active when it is rotated, which moves no change feed: never cached.
        if record.kind == .accessToken { remember(facts, notDeniedInEpoch: nil) }
        return .active(facts)
    }

    private func verifyJWT(_ token: String, digest: TokenDigest, server: AuthorizationServer) async throws(OAuthError) -> TokenCheck {
        let parsed: ParsedJWT<AccessTokenPayload>
        do {
            parsed = try ParsedJWT(parsing: token)
        } catch {
            return .inactive(.tokenMalformed, detail: ["hash_prefix": Self.hashPrefix(digest.data)])
        }
        guard parsed.isAccessToken else {
            return .inactive(.tokenMalformed, detail: ["typ": parsed.header.typ ?? "(none)", "hash_prefix": Self.hashPrefix(digest.data)])
        }
        let payload = parsed.claims
        let issuer = IssuerURLs(publicURL: publicURL, server: server.name).issuer
        guard let iss = payload.string("iss"), iss == issuer else {
            let iss = payload.string("iss") ?? ""
            let ours = iss.hasPrefix(IssuerURLs(publicURL: publicURL, server: "").issuer)
            return .inactive(ours ? .tokenOtherServer : .tokenUnknown, detail: ["iss": iss, "jti": payload.string("jti") ?? ""])
        }
        let ring: ServerKeyRing = try await storeCall("loading the signing keys") { () throws(StoreError) in try await directory.keyRing(server: server.name) }
        // Tessera's tokens always name their key; the key's algorithm must be the header's (RFC 8725 §3.1).
        guard let key = parsed.header.kid.flatMap({ ring.verifiers[$0] }), parsed.isSigned(by: key) else {
            return .inactive(.tokenBadSignature, detail: ["kid": parsed.header.kid ?? "", "jti": payload.string("jti") ?? ""])
        }
        guard let exp = payload.number("exp"), let jti = payload.string("jti"), let clientID = payload.string("client_id") else {
            return .inactive(.tokenMalformed, detail: ["missing": "exp, jti or client_id"])
        }
        // Signed by this server, so the times are its own; checked anyway, as every number from a request is.
        let times = [exp, payload.number("iat") ?? 0, payload.number("nbf") ?? 0]
        guard times.allSatisfy(NumericDate.isAcceptable) else {
            return .inactive(.tokenMalformed, detail: ["out_of_range": "exp, iat or nbf", "jti": jti])
        }
        let iat = Int64(saturating: payload.number("iat") ?? 0)
        return .active(TokenFacts(
            kind: .accessToken, format: .jwt, server: server.name, issuer: issuer, clientID: clientID,
            subject: payload.string("sub") ?? clientID, username: payload.string("username"),
            scopes: (payload.string("scope") ?? "").split(separator: " ").map(String.init), audiences: payload.audiences,
            jti: jti, issuedAt: iat, notBefore: payload.number("nbf").map(Int64.init(saturating:)) ?? iat, expiresAt: Int64(saturating: exp),
            customClaims: payload.claims.filter { !Self.registeredClaims.contains($0.key) }, digest: digest))
    }

    /// The first 8 hex digits of a token hash: enough to correlate log lines, useless to an attacker.
    public static func hashPrefix(_ hash: Data) -> String {
        Hex.encode(hash.prefix(4))
    }
}

/// A cached active token, with the deny epoch in which the deny list was found not to name it.
private struct VerifiedEntry: Sendable {
    let facts: TokenFacts
    let notDeniedInEpoch: UInt64?
}

private struct DenyListKey: Hashable, Sendable {
    let server: String
    let jti: String
}
