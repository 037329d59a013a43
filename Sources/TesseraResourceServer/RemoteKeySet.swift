import Foundation
import JWTKit
import TesseraJWT
import Synchronization

/// The issuer's signing keys, fetched from `jwks_uri`, kept as long as `Cache-Control: max-age`
/// says, and refetched on an unknown `kid` at most once per interval (so a flood of tokens with bogus
/// kids cannot hammer the authorization server).
final class RemoteKeySet: Sendable {
    private struct State: Sendable {
        var keys: JWTKeyCollection?
        /// The JWKS members with a `kid`, by kid.
        var jwks: [String: JWK] = [:]
        /// Keys already resolved from `keys`, by kid and alg: the hot path takes a lock, not an actor hop.
        var resolved: [KeyName: SignatureVerifier] = [:]
        var expiresAt: Date = .distantPast
        var lastRefetch: Date?
        var fetches = 0
    }

    private let metadata: IssuerMetadata
    private let documents: RemoteDocuments
    private let configuration: ResourceServerConfiguration
    private let state = Mutex(State())
    /// Keys given up front: never fetched, never expire.
    private let pinned: Bool

    init(metadata: IssuerMetadata, documents: RemoteDocuments, configuration: ResourceServerConfiguration) {
        self.metadata = metadata
        self.documents = documents
        self.configuration = configuration
        pinned = false
    }

    /// A key set fixed to `jwks` (for APIs that pin the issuer's keys, and for benchmarks).
    init(pinned jwks: JWKS, metadata: IssuerMetadata, documents: RemoteDocuments, configuration: ResourceServerConfiguration) async throws {
        self.metadata = metadata
        self.documents = documents
        self.configuration = configuration
        pinned = true
        let collection = JWTKeyCollection()
        var byKid: [String: JWK] = [:]
        for key in jwks.keys {
            try await collection.add(jwk: key)
            if let kid = key.keyIdentifier?.string { byKid[kid] = key }
        }
        state.withLock { $0 = State(keys: collection, jwks: byKid, expiresAt: .distantFuture) }
    }

    var fetchCount: Int { state.withLock { $0.fetches } }

    /// The key that verifies a token with this `kid` and `alg` (refetching the JWKS as `keys(for:now:)` does).
    func key(for kid: String?, alg: String?, now: Date) async throws(TokenValidationError) -> SignatureVerifier {
        let name = KeyName(kid: kid, alg: alg)
        if let key = state.withLock({ state in state.expiresAt > now ? state.resolved[name] : nil }) { return key }
        let collection = try await keys(for: kid, now: now)
        guard let found = try? await collection.getKey(for: kid.map { JWKIdentifier(string: $0) }, alg: alg) else {
            throw TokenValidationError(.invalidToken, "the token's signature does not verify with the issuer's keys (no key for kid \(kid ?? "(none)") and alg \(alg ?? "(none)"))")
        }
        // Only a key whose algorithm is the token's `alg` is remembered (any other fails the signature check
        // anyway): tokens with made-up `alg` values must not grow the cache. Only keys of the current
        // collection are kept (a refresh in between replaced them).
        let jwk = kid.flatMap { kid in state.withLock { $0.keys === collection ? $0.jwks[kid] : nil } }
        let key = jwk.map { SignatureVerifier(jwk: $0, fallback: found) } ?? SignatureVerifier(found)
        if key.algorithm == alg {
            state.withLock { state in
                if state.keys === collection { state.resolved[name] = key }
            }
        }
        return key
    }

    /// Keys that include `kid` (or any key when the token names none).
    func keys(for kid: String?, now: Date) async throws(TokenValidationError) -> JWTKeyCollection {
        var current = state.withLock { $0 }
        // Pinned keys are never fetched; their state never expires.
        if !pinned {
            if current.keys == nil || current.expiresAt <= now {
                try await refresh(now: now, refetch: false)
                current = state.withLock { $0 }
            } else if let kid, current.jwks[kid] == nil,
                      current.lastRefetch.map({ now.timeIntervalSince($0) >= configuration.jwksRefetchInterval }) ?? true {
                try await refresh(now: now, refetch: true)
                current = state.withLock { $0 }
            }
        }
        guard let keys = current.keys else { throw TokenValidationError(.unavailable, "no signing keys could be loaded") }
        if let kid, current.jwks[kid] == nil {
            throw TokenValidationError(.invalidToken, "the token's kid \"\(kid)\" is not among the issuer's signing keys")
        }
        return keys
    }

    private func refresh(now: Date, refetch: Bool) async throws(TokenValidationError) {
        let uri = try await metadata.endpoints().jwksURI
        let answer = try await documents.get(uri)
        guard answer.status == 200, let jwks = try? JSONDecoder().decode(JWKS.self, from: Data(answer.body)) else {
            throw TokenValidationError(.unavailable, "the issuer's JWKS at \(uri) could not be read (HTTP \(answer.status))")
        }
        let collection = JWTKeyCollection()
        var byKid: [String: JWK] = [:]
        for key in jwks.keys {
            guard (try? await collection.add(jwk: key)) != nil else { continue }
            if let kid = key.keyIdentifier?.string { byKid[kid] = key }
        }
        let lifetime = answer.maxAge ?? configuration.defaultJWKSLifetime
        state.withLock { state in
            state.keys = collection
            state.jwks = byKid
            state.resolved = [:]
            state.expiresAt = now.addingTimeInterval(lifetime)
            state.fetches += 1
            if refetch { state.lastRefetch = now }
        }
    }
}

/// What a token names its key by: no string is built per token to look a key up.
private struct KeyName: Hashable, Sendable {
    var kid: String?
    var alg: String?
}
