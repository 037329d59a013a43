import AsyncHTTPClient
import Crypto
import Foundation
import JWTKit
import TesseraJWT
import TesseraJSON
import Synchronization

/// Validates access tokens for one API: locally (RFC 9068 JWTs against the issuer's JWKS) or by
/// introspection (RFC 7662), with caches so a token seen before costs a hash and a lookup.
///
/// ```swift
/// let validator = try await TokenValidator(ResourceServerConfiguration(
///     issuer: "https://auth.example.com/oauth2/default", audience: "https://api.example.com"))
/// let token = try await validator.validate(bearer, mode: .local, requiredScopes: ["orders.read"])
/// ```
public final class TokenValidator: Sendable {
    /// What the validator was made with.
    public let configuration: ResourceServerConfiguration
    /// Cache hits, misses, introspection calls and coalesced calls, counted as they happen.
    public let statistics = ValidationStatistics()
    private let now: @Sendable () -> Date
    private let keys: RemoteKeySet
    private let introspection: IntrospectionClient?
    /// Verified JWTs by the SHA-256 of their signing input (a fixed-size value key, and the digest an ES256
    /// check verifies, so a first-seen token is hashed once), each with its exact signature text: a hit needs
    /// both to match, so it is the same token byte for byte.
    private let verified = Mutex<[SHA256Digest: SeenToken]>([:])

    /// - Parameters:
    ///   - httpClient: the client used for discovery, JWKS and introspection.
    ///   - now: the clock (tests pass their own).
    public convenience init(_ configuration: ResourceServerConfiguration, httpClient: HTTPClient = .shared,
                            now: @escaping @Sendable () -> Date = { Date() }) async throws {
        let documents = RemoteDocuments(client: httpClient)
        let metadata = IssuerMetadata(issuer: configuration.issuer, documents: documents)
        try await self.init(configuration, metadata: metadata, documents: documents, now: now,
                            keys: RemoteKeySet(metadata: metadata, documents: documents, configuration: configuration))
    }

    /// A validator with the issuer's keys pinned to `jwks` (a JWKS document): local validation never
    /// fetches keys, so it works without network access to the issuer; rotation needs a new validator.
    /// Introspection, if configured, still uses discovery.
    public convenience init(_ configuration: ResourceServerConfiguration, pinnedJWKS jwks: String, httpClient: HTTPClient = .shared,
                            now: @escaping @Sendable () -> Date = { Date() }) async throws {
        let documents = RemoteDocuments(client: httpClient)
        let metadata = IssuerMetadata(issuer: configuration.issuer, documents: documents)
        let pinned = try JSONDecoder().decode(JWKS.self, from: Data(jwks.utf8))
        try await self.init(configuration, metadata: metadata, documents: documents, now: now,
                            keys: RemoteKeySet(pinned: pinned, metadata: metadata, documents: documents, configuration: configuration))
    }

    private init(_ configuration: ResourceServerConfiguration, metadata: IssuerMetadata, documents: RemoteDocuments,
                 now: @escaping @Sendable () -> Date, keys: RemoteKeySet) async throws {
        self.configuration = configuration
        self.now = now
        self.keys = keys
        if let credentials = configuration.introspection {
            introspection = try await IntrospectionClient(configuration: configuration, credentials: credentials, metadata: metadata,
                                                          documents: documents, statistics: statistics)
        } else {
            introspection = nil
        }
    }

    /// How many times the JWKS was fetched (first load, expiry, unknown kids).
    public var jwksFetchCount: Int { keys.fetchCount }

    /// The verified token, or a `TokenValidationError` saying why not (RFC 6750 terms).
    public func validate(_ token: String, mode: ValidationMode = .local, requiredScopes: [String] = []) async throws(TokenValidationError) -> VerifiedToken {
        let result: VerifiedToken
        switch mode {
        case .local:
            guard let verified = try await verifyLocally(token) else {
                throw TokenValidationError(.invalidToken, "the token is not a JWT; this route validates JWT access tokens locally")
            }
            result = verified
        case .introspect:
            result = try await introspect(token)
        case .localThenIntrospect:
            _ = try await verifyLocally(token)
            result = try await introspect(token)
        }
        if requiredScopes.isEmpty || requiredScopes.allSatisfy(result.scopes.contains) { return result }
        let missing = requiredScopes.filter { !result.scopes.contains($0) }
        throw TokenValidationError(.insufficientScope, "the token lacks the scope \(missing.joined(separator: " ")) this request needs", requiredScopes: requiredScopes)
    }

    /// The verified token, or nil when `token` does not have a JWT's shape (three parts, two dots).
    private func verifyLocally(_ token: String) async throws(TokenValidationError) -> VerifiedToken? {
        let now = now()
        // The token's bytes read in place, no copy: the SHA-256 of its signing input, and on a hit its
        // signature text compared with the cached one.
        var text = token
        let lookup: (digest: SHA256Digest, signature: [UInt8], cached: VerifiedToken?)? = text.withUTF8 { bytes in
            let bytes = UnsafeRawBufferPointer(bytes)
            guard let dots = JWSDots(in: bytes) else { return nil }
            let digest = SHA256.hash(data: UnsafeRawBufferPointer(rebasing: bytes[..<dots.second]))
            let signature = bytes[(dots.second + 1)...]
            guard let seen = verified.withLock({ $0[digest] }), seen.signature.elementsEqual(signature) else {
                return (digest, Array(signature), nil)
            }
            return (digest, [], seen.token)
        }
        guard let lookup else { return nil }
        if let cached = lookup.cached {
            statistics.count(.localHit)
            // Signature, issuer, audience and nbf were checked when the token was first seen; only expiry moves.
            guard cached.expiresAt.timeIntervalSince1970 + configuration.clockSkew > now.timeIntervalSince1970 else {
                throw TokenValidationError(.invalidToken, "the token expired at \(Int64(saturating: cached.expiresAt.timeIntervalSince1970))")
            }
            return cached
        }
        statistics.count(.localMiss)
        let parsed: ParsedJWT<RawClaims>
        do {
            parsed = try ParsedJWT(parsing: token)
        } catch {
            throw TokenValidationError(.invalidToken, "the token is not a well-formed JWT")
        }
        let header = parsed.header
        guard parsed.isAccessToken else {
            throw TokenValidationError(.invalidToken, "the token's typ is \(header.typ.map { "\"\($0)\"" } ?? "missing"); an access token has typ at+jwt (RFC 9068)")
        }
        let key = try await keys.key(for: header.kid, alg: header.alg, now: now)
        guard parsed.isSigned(by: key, signingInputSHA256: lookup.digest) else {
            throw TokenValidationError(.invalidToken, "the token's signature does not verify with the issuer's keys")
        }
        let claims = parsed.claims.claims
        // The token's fields are read once, here, and the checks below judge them.
        let registered = RegisteredClaims(claims)
        let token = VerifiedToken(claims: claims, registered: registered, source: .localJWT)
        guard token.issuer == configuration.issuer else {
            throw TokenValidationError(.invalidToken, "the token was issued by \(registered.issuer ?? "nobody"), not \(configuration.issuer)")
        }
        guard token.audiences.contains(configuration.audience) else {
            throw TokenValidationError(.invalidToken, "the token's aud \(token.audiences) does not include \(configuration.audience)")
        }
        try checkTimes(registered, now: now)
        remember(lookup.digest, SeenToken(signature: lookup.signature, token: token), now: now)
        return token
    }

    private func checkTimes(_ claims: RegisteredClaims, now: Date) throws(TokenValidationError) {
        let seconds = now.timeIntervalSince1970
        guard let exp = claims.expiry else { throw TokenValidationError(.invalidToken, "the token has no exp") }
        guard exp + configuration.clockSkew > seconds else { throw TokenValidationError(.invalidToken, "the token expired at \(Int64(saturating: exp))") }
        if let nbf = claims.notBefore, nbf - configuration.clockSkew > seconds {
            throw TokenValidationError(.invalidToken, "the token is not valid before \(Int64(saturating: nbf))")
        }
    }

    private func remember(_ digest: SHA256Digest, _ seen: SeenToken, now: Date) {
        let limit = configuration.verifiedCacheEntries
        verified.withLock { cache in
            if cache.count >= limit {
                cache = cache.filter { $0.value.token.expiresAt > now }
                if cache.count >= limit { cache.removeAll() }
            }
            cache[digest] = seen
        }
    }

    private func introspect(_ token: String) async throws(TokenValidationError) -> VerifiedToken {
        guard let introspection else {
            throw TokenValidationError(.unavailable, "this route introspects tokens but no introspection credentials are configured")
        }
        // The answer cache's key: the token's SHA-256, hashed from its bytes in place.
        var text = token
        let hash = text.withUTF8 { bytes in SHA256.hash(data: UnsafeRawBufferPointer(bytes)).withUnsafeBytes { Data($0) } }
        guard let claims = try await introspection.introspect(token, hash: hash, now: now()) else {
            throw TokenValidationError(.invalidToken, "the token is not active (expired, revoked or unknown)")
        }
        let result = VerifiedToken(claims: claims, source: .introspection)
        guard result.audiences.contains(configuration.audience) else {
            throw TokenValidationError(.invalidToken, "the token's aud \(result.audiences) does not include \(configuration.audience)")
        }
        return result
    }
}

/// A verified JWT in the cache, with the signature text that must match for a hit.
struct SeenToken: Sendable {
    let signature: [UInt8]
    let token: VerifiedToken
}

/// Every claim of a JWT; claim checks are done by `TokenValidator` so each failure is explained.
struct RawClaims: JWTPayload, JSONObjectDecodable {
    var claims: [String: ClaimValue]

    init(members: [String: ClaimValue]) {
        claims = members
    }

    init(from decoder: any Decoder) throws {
        claims = try decoder.singleValueContainer().decode([String: ClaimValue].self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(claims)
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
