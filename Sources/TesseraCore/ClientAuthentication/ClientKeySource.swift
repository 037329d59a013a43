import Foundation
import JWTKit
import Synchronization
import TesseraJWT
import TesseraStore

/// Fetches a client's `jwks_uri`. The HTTP layer implements it (with a timeout and a size cap);
/// the core only sees bytes or an error sentence.
public protocol JWKSFetcher: Sendable {
    /// The body of `url`, or throws `JWKSFetchError` saying what went wrong.
    func fetchJWKS(from url: String) async throws -> [UInt8]
}

/// Why a `jwks_uri` could not be read, in words for the error description.
public struct JWKSFetchError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The public keys of `private_key_jwt` clients, from the inline JWKS or the `jwks_uri`.
///
/// Remote documents are cached for `cacheLifetime`; an unknown `kid` triggers one refetch, at most
/// once per `refetchInterval` per URL so that a stream of bogus kids cannot hammer the client's host.
public final class ClientKeySource: Sendable {
    private struct RemoteEntry {
        var keys: [JWK]
        var fetchedAt: Date
        var lastRefetch: Date?
    }

    private let fetcher: (any JWKSFetcher)?
    private let clock: any WallClock
    private let cacheLifetime: TimeInterval
    private let refetchInterval: TimeInterval
    private let remote = Mutex<[String: RemoteEntry]>([:])
    private let inline = Mutex<[String: [JWK]]>([:])
    private let verifiers = Mutex<[String: SignatureVerifier]>([:])

    public init(fetcher: (any JWKSFetcher)?, clock: any WallClock, cacheLifetime: TimeInterval = 300, refetchInterval: TimeInterval = 10) {
        self.fetcher = fetcher
        self.clock = clock
        self.cacheLifetime = cacheLifetime
        self.refetchInterval = refetchInterval
    }

    /// The result of looking up a key: the key, or the kids that were available.
    public enum Lookup: Sendable {
        case found(JWK)
        case notFound(available: [String])
    }

    /// Finds the client's key with `kid` (or its only key when the assertion names none).
    public func key(for client: Client, kid: String?) async throws(OAuthError) -> Lookup {
        if let jwks = client.jwks {
            return select(kid: kid, from: try inlineKeys(jwks, client: client))
        }
        guard let url = client.jwksURI else {
            return .notFound(available: [])
        }
        let now = clock.now
        let cached = remote.withLock { $0[url] }
        var keys: [JWK]
        var fetchedNow = false
        if let cached, now.timeIntervalSince(cached.fetchedAt) < cacheLifetime {
            keys = cached.keys
        } else {
            keys = try await fetch(url, client: client, now: now, refetch: false)
            fetchedNow = true
        }
        if case .found(let key) = select(kid: kid, from: keys) { return .found(key) }
        let mayRefetch = !fetchedNow && remote.withLock { entries -> Bool in
            guard let last = entries[url]?.lastRefetch else { return true }
            return now.timeIntervalSince(last) >= refetchInterval
        }
        if mayRefetch {
            keys = try await fetch(url, client: client, now: now, refetch: true)
        }
        return select(kid: kid, from: keys)
    }

    /// The verifier for `key` used with `alg` (swift-crypto directly for ES256, jwt-kit otherwise), cached
    /// so the hot path does no JWK import.
    public func verifier(for key: JWK, alg: String) async throws -> SignatureVerifier {
        let identity = Self.identity(of: key) + "|" + alg
        if let cached = verifiers.withLock({ $0[identity] }) { return cached }
        let verifier = try await SignatureVerifier.load(jwk: key, alg: alg)
        verifiers.withLock { $0[identity] = verifier }
        return verifier
    }

    private static func identity(of key: JWK) -> String {
        [key.keyType.rawValue, key.keyIdentifier?.string ?? "", key.algorithm?.rawValue ?? "", key.modulus ?? "", key.exponent ?? "", key.x ?? "", key.y ?? "", key.curve?.rawValue ?? ""].joined(separator: "|")
    }

    private func select(kid: String?, from keys: [JWK]) -> Lookup {
        if let kid {
            if let key = keys.first(where: { $0.keyIdentifier?.string == kid }) { return .found(key) }
        } else if keys.count == 1, let only = keys.first {
            return .found(only)
        }
        return .notFound(available: keys.compactMap { $0.keyIdentifier?.string })
    }

    private func inlineKeys(_ document: String, client: Client) throws(OAuthError) -> [JWK] {
        if let cached = inline.withLock({ $0[document] }) { return cached }
        guard let jwks = try? JSONDecoder().decode(JWKS.self, from: Data(document.utf8)) else {
            throw OAuthError(.invalidClient, .assertionKeysUnavailable,
                             "client \(client.id)'s registered JWKS cannot be read; re-register it with `tessera clients create --jwks-file`",
                             clientID: client.id)
        }
        inline.withLock { $0[document] = jwks.keys }
        return jwks.keys
    }

    private func fetch(_ url: String, client: Client, now: Date, refetch: Bool) async throws(OAuthError) -> [JWK] {
        guard let fetcher else {
            throw OAuthError(.invalidClient, .assertionKeysUnavailable, "this server cannot fetch jwks_uri documents", clientID: client.id)
        }
        let body: [UInt8]
        do {
            body = try await fetcher.fetchJWKS(from: url)
        } catch {
            throw OAuthError(.invalidClient, .assertionKeysUnavailable,
                             "client \(client.id)'s jwks_uri \(url) could not be fetched: \(error)",
                             detail: ["jwks_uri": url], clientID: client.id)
        }
        guard let jwks = try? JSONDecoder().decode(JWKS.self, from: Data(body)) else {
            throw OAuthError(.invalidClient, .assertionKeysUnavailable,
                             "client \(client.id)'s jwks_uri \(url) did not return a JWKS document ({\"keys\":[…]})",
                             detail: ["jwks_uri": url], clientID: client.id)
        }
        remote.withLock { entries in
            entries[url] = RemoteEntry(keys: jwks.keys, fetchedAt: now, lastRefetch: refetch ? now : entries[url]?.lastRefetch)
        }
        return jwks.keys
    }
}
