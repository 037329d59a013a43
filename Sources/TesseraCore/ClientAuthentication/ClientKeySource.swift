import Foundation
import JWTKit
import Synchronization
import TesseraJWT
import TesseraStore
import TesseraJSON

/// The public keys of `private_key_jwt` clients, from the inline JWKS or the `jwks_uri`.
///
/// Remote documents are cached for `cacheLifetime`; an unknown `kid` triggers one refetch, at most
/// once per `refetchInterval` per URL so that a stream of bogus kids cannot hammer the client's host,
/// and concurrent requests share one fetch in flight per URL.
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
    private let inFlight = Mutex<[String: Task<Result<[JWK], FetchFailure>, Never>]>([:])
    /// Lookups that waited for a fetch another lookup had already started, and who waits for that count.
    private let joinedFetches = Mutex<(count: Int, waiting: [(Int, CheckedContinuation<Void, Never>)])>((0, []))

    /// How many lookups waited for a fetch another lookup had already started (instead of fetching).
    public var sharedFetchWaits: Int { joinedFetches.withLock { $0.count } }

    /// Returns once `count` lookups have joined a fetch in flight (tests wait on this, not on time).
    func waitForSharedFetchWaits(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let reached = joinedFetches.withLock { state -> Bool in
                if state.count >= count { return true }
                state.waiting.append((count, continuation))
                return false
            }
            if reached { continuation.resume() }
        }
    }

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

    /// Finds the client's key with `kid` (or its only key when the assertion names none). Inline keys
    /// that a `clients update --jwks-file` replaced are searched too until their overlap ends.
    public func key(for client: Client, kid: String?) async throws(OAuthError) -> Lookup {
        if let jwks = client.jwks {
            let current = select(kid: kid, from: try inlineKeys(jwks, client: client))
            guard case .notFound(let available) = current, let kid, let previous = client.previousJWKS,
                  let until = client.previousJWKSExpiresAt, clock.now < until else { return current }
            if case .found(let key) = select(kid: kid, from: try inlineKeys(previous, client: client)) { return .found(key) }
            return .notFound(available: available)
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
        let keys: [JWK]
        do {
            keys = try Self.publicKeys(in: Array(document.utf8))
        } catch {
            throw OAuthError(.invalidClient, .assertionKeysUnavailable,
                             "client \(client.id)'s registered JWKS cannot be used: \(error.description); register the client again with `tessera clients create --jwks-file`",
                             clientID: client.id)
        }
        inline.withLock { $0[document] = keys }
        return keys
    }

    /// Fetches `url` once however many requests need it at the same moment: the first starts the fetch,
    /// the others wait for its result (a burst of assertions must not become a burst of fetches).
    private func fetch(_ url: String, client: Client, now: Date, refetch: Bool) async throws(OAuthError) -> [JWK] {
        let (task, started) = inFlight.withLock { tasks -> (Task<Result<[JWK], FetchFailure>, Never>, Bool) in
            if let running = tasks[url] { return (running, false) }
            let task = Task { await self.download(url) }
            tasks[url] = task
            return (task, true)
        }
        if !started {
            let ready = joinedFetches.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.count += 1
                let count = state.count
                let ready = state.waiting.filter { $0.0 <= count }.map(\.1)
                state.waiting.removeAll { $0.0 <= count }
                return ready
            }
            for continuation in ready { continuation.resume() }
        }
        let result = await task.value
        if started {
            inFlight.withLock { _ = $0.removeValue(forKey: url) }
            if case .success(let keys) = result {
                remote.withLock { entries in
                    entries[url] = RemoteEntry(keys: keys, fetchedAt: now, lastRefetch: refetch ? now : entries[url]?.lastRefetch)
                }
            }
        }
        switch result {
        case .success(let keys):
            return keys
        case .failure(let failure):
            throw OAuthError(.invalidClient, .assertionKeysUnavailable,
                             "client \(client.id)'s jwks_uri \(url) \(failure.sentence)",
                             detail: ["jwks_uri": url], clientID: client.id)
        }
    }

    /// Why a remote key set could not be used, as the end of a sentence starting with the URL.
    struct FetchFailure: Error {
        let sentence: String
    }

    private func download(_ url: String) async -> Result<[JWK], FetchFailure> {
        guard let fetcher else { return .failure(FetchFailure(sentence: "cannot be fetched: this server fetches no jwks_uri documents")) }
        let body: [UInt8]
        do {
            body = try await fetcher.fetchJWKS(from: url)
        } catch {
            return .failure(FetchFailure(sentence: "could not be fetched: \(error)"))
        }
        do {
            return .success(try Self.publicKeys(in: body))
        } catch {
            return .failure(FetchFailure(sentence: "did not return a usable JWKS document: \(error.description)"))
        }
    }

    /// Most keys a client's key set may hold: a rotation needs two or three, and every key costs a parse.
    public static let maximumKeys = 100

    /// The keys of a JWKS document, refused as a whole when it is not `{"keys":[…]}`, holds more than
    /// `maximumKeys`, or publishes private key material (then the client's private key has leaked and
    /// must be replaced, whatever else the set holds).
    static func publicKeys(in document: [UInt8]) throws(JWKSFetchError) -> [JWK] {
        let jwks: JWKS
        do {
            jwks = try JSONDecoder().decode(JWKS.self, from: Data(document))
        } catch {
            throw JWKSFetchError("expected {\"keys\":[…]} with EC, RSA or OKP public keys (\(Self.decodingProblem(error, in: document)))")
        }
        guard jwks.keys.count <= maximumKeys else {
            throw JWKSFetchError("it holds \(jwks.keys.count) keys; at most \(maximumKeys) are accepted")
        }
        if let leaked = jwks.keys.first(where: { $0.privateExponent != nil || $0.prime1 != nil || $0.prime2 != nil }) {
            throw JWKSFetchError("key \(quoted(leaked.keyIdentifier?.string ?? "(no kid)")) includes private key members (d, p or q); publish only public keys and replace the leaked key")
        }
        return jwks.keys
    }

    private static func decodingProblem(_ error: any Error, in document: [UInt8]) -> String {
        do { _ = try JSONReader.value(in: document) } catch { return "the body is not JSON: \(error)" }
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?: return "member \(path(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?: return "member \(path(context.codingPath)) has the wrong type"
        case .dataCorrupted(let context)?: return "member \(path(context.codingPath)) has a value this server does not support"
        default: return "it cannot be read"
        }
    }
}
