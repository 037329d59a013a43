import AsyncHTTPClient
import Crypto
import Foundation
import JWTKit
import TesseraJWT

/// How a route checks tokens.
public enum ValidationMode: Sendable, Equatable {
    /// JWT access tokens verified with the issuer's keys; revocation is seen only when the token expires.
    case local
    /// Every token is introspected (cached briefly): revocation takes effect at once; opaque tokens work.
    case introspect
    /// JWTs are verified locally first (cheap rejection of forgeries), then introspected; opaque tokens are introspected.
    case localThenIntrospect
}

/// Validates access tokens for one API: locally (RFC 9068 JWTs against the issuer's JWKS) or by
/// introspection (RFC 7662), with caches so a token seen before costs a hash and a lookup.
///
/// ```swift
/// let validator = try await TokenValidator(ResourceServerConfiguration(
///     issuer: "https://auth.example.com/oauth2/default", audience: "https://api.example.com"))
/// let token = try await validator.validate(bearer, mode: .local, requiredScopes: ["orders.read"])
/// ```
public final class TokenValidator: Sendable {
    public let configuration: ResourceServerConfiguration
    public let statistics = ValidationStatistics()
    private let now: @Sendable () -> Date
    private let keys: RemoteKeySet
    private let introspection: IntrospectionClient?
    /// Verified JWTs by the SHA-256 of the token (a fixed-size value key: no allocation per lookup).
    private let verified = MutexBox<[SHA256Digest: VerifiedToken]>([:])

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
        // The token's bytes read in place, no copy: its hash (the cache key) and whether it has a JWT's shape.
        var text = token
        let (hash, isJWT) = text.withUTF8 { bytes in
            (SHA256.hash(data: UnsafeRawBufferPointer(bytes)), JWSDots(in: UnsafeRawBufferPointer(bytes)) != nil)
        }
        let result: VerifiedToken
        switch mode {
        case .local:
            guard isJWT else { throw TokenValidationError(.invalidToken, "the token is not a JWT; this route validates JWT access tokens locally") }
            result = try await verifyLocally(token, hash: hash)
        case .introspect:
            result = try await introspect(token, hash: Data(hash))
        case .localThenIntrospect:
            if isJWT { _ = try await verifyLocally(token, hash: hash) }
            result = try await introspect(token, hash: Data(hash))
        }
        if requiredScopes.isEmpty || requiredScopes.allSatisfy(result.scopes.contains) { return result }
        let missing = requiredScopes.filter { !result.scopes.contains($0) }
        throw TokenValidationError(.insufficientScope, "the token lacks the scope \(missing.joined(separator: " ")) this request needs", requiredScopes: requiredScopes)
    }

    private func verifyLocally(_ token: String, hash: SHA256Digest) async throws(TokenValidationError) -> VerifiedToken {
        let now = now()
        if let cached = verified.withLock({ $0[hash] }) {
            statistics.count(.localHit)
            // Signature, issuer, audience and nbf were checked when the token was first seen; only expiry moves.
            guard cached.expiresAt.timeIntervalSince1970 + configuration.clockSkew > now.timeIntervalSince1970 else {
                throw TokenValidationError(.invalidToken, "the token expired at \(Int(cached.expiresAt.timeIntervalSince1970))")
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
        guard parsed.isSigned(by: key) else {
            throw TokenValidationError(.invalidToken, "the token's signature does not verify with the issuer's keys")
        }
        let claims = parsed.claims.claims
        // The token's fields are read once, here, and the checks below judge them.
        let token = VerifiedToken(claims: claims, source: .localJWT)
        guard token.issuer == configuration.issuer else {
            throw TokenValidationError(.invalidToken, "the token was issued by \(claims["iss"]?.string ?? "nobody"), not \(configuration.issuer)")
        }
        guard token.audiences.contains(configuration.audience) else {
            throw TokenValidationError(.invalidToken, "the token's aud \(token.audiences) does not include \(configuration.audience)")
        }
        try checkTimes(claims, now: now)
        remember(hash, token, now: now)
        return token
    }

    private func checkTimes(_ claims: [String: ClaimValue], now: Date) throws(TokenValidationError) {
        let seconds = now.timeIntervalSince1970
        guard let exp = claims["exp"]?.number else { throw TokenValidationError(.invalidToken, "the token has no exp") }
        guard exp + configuration.clockSkew > seconds else { throw TokenValidationError(.invalidToken, "the token expired at \(Int(exp))") }
        if let nbf = claims["nbf"]?.number, nbf - configuration.clockSkew > seconds {
            throw TokenValidationError(.invalidToken, "the token is not valid before \(Int(nbf))")
        }
    }

    private func remember(_ hash: SHA256Digest, _ token: VerifiedToken, now: Date) {
        let limit = configuration.verifiedCacheEntries
        verified.withLock { cache in
            if cache.count >= limit {
                cache = cache.filter { $0.value.expiresAt > now }
                if cache.count >= limit { cache.removeAll() }
            }
            cache[hash] = token
        }
    }

    private func introspect(_ token: String, hash: Data) async throws(TokenValidationError) -> VerifiedToken {
        guard let introspection else {
            throw TokenValidationError(.unavailable, "this route introspects tokens but no introspection credentials are configured")
        }
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
