import Crypto
import Foundation
import JWTKit
import TesseraWire
import TesseraJSON
import Synchronization

/// Calls the issuer's introspection endpoint with this API's credentials, caches answers by a hash
/// of the token (bounded; positive answers never beyond the token's `exp`, negative ones briefly),
/// and coalesces concurrent requests for the same token into one call.
final class IntrospectionClient: Sendable {
    private struct Entry: Sendable {
        var claims: [String: ClaimValue]?
        var expiresAt: Date
        var sequence: Int
    }

    private let configuration: ResourceServerConfiguration
    private let credentials: IntrospectionCredentials
    private let metadata: IssuerMetadata
    private let documents: RemoteDocuments
    private let signer: JWTKeyCollection?
    private let signerKid: String?
    private let cache = Mutex<[Data: Entry]>([:])
    private let sequence = Mutex(0)
    private let inFlight = Mutex<[Data: Task<[String: ClaimValue]?, any Error>]>([:])
    let statistics: ValidationStatistics

    init(configuration: ResourceServerConfiguration, credentials: IntrospectionCredentials, metadata: IssuerMetadata,
         documents: RemoteDocuments, statistics: ValidationStatistics) async throws {
        self.configuration = configuration
        self.credentials = credentials
        self.metadata = metadata
        self.documents = documents
        self.statistics = statistics
        if case .privateKeyJWT(let pem, let kid) = credentials.method {
            let keys = JWTKeyCollection()
            let identifier = JWKIdentifier(string: kid)
            if let key = try? ES256PrivateKey(pem: pem) {
                await keys.add(ecdsa: key, kid: identifier)
            } else if let key = try? EdDSA.PrivateKey(pem: pem) {
                await keys.add(eddsa: key, kid: identifier)
            } else {
                await keys.add(rsa: try Insecure.RSA.PrivateKey(pem: pem), digestAlgorithm: .sha256, kid: identifier)
            }
            signer = keys
            signerKid = kid
        } else {
            signer = nil
            signerKid = nil
        }
    }

    /// The claims of an active token, or nil for `{"active":false}`.
    func introspect(_ token: String, hash: Data, now: Date) async throws(TokenValidationError) -> [String: ClaimValue]? {
        if let entry = cache.withLock({ $0[hash] }), entry.expiresAt > now {
            statistics.count(.introspectionHit)
            return entry.claims
        }
        statistics.count(.introspectionMiss)
        let (task, joined) = inFlight.withLock { running -> (Task<[String: ClaimValue]?, any Error>, Bool) in
            if let existing = running[hash] { return (existing, true) }
            let task = Task { try await self.call(token) }
            running[hash] = task
            return (task, false)
        }
        if joined { statistics.count(.coalesced) }
        // The caller that started the call stores its answer (below), then stops others from joining it.
        defer { if !joined { _ = inFlight.withLock { $0.removeValue(forKey: hash) } } }
        do {
            let claims = try await task.value
            if !joined { remember(hash: hash, claims: claims, now: now) }
            return claims
        } catch {
            throw error as? TokenValidationError ?? TokenValidationError(.unavailable, "introspection failed: \(error)")
        }
    }

    private func remember(hash: Data, claims: [String: ClaimValue]?, now: Date) {
        var expires = now.addingTimeInterval(claims == nil ? configuration.negativeCacheTTL : configuration.introspectionCacheTTL)
        if let exp = claims?["exp"]?.number { expires = min(expires, Date(timeIntervalSince1970: exp)) }
        let order = sequence.withLock { value -> Int in value += 1; return value }
        let limit = configuration.introspectionCacheEntries
        cache.withLock { cache in
            if cache.count >= limit {
                cache = cache.filter { $0.value.expiresAt > now }
                while cache.count >= limit, let oldest = cache.min(by: { $0.value.sequence < $1.value.sequence }) {
                    cache.removeValue(forKey: oldest.key)
                }
            }
            cache[hash] = Entry(claims: claims, expiresAt: expires, sequence: order)
        }
    }

    private func call(_ token: String) async throws(TokenValidationError) -> [String: ClaimValue]? {
        statistics.count(.introspectionCall)
        guard let endpoint = try await metadata.endpoints().introspectionEndpoint else {
            throw TokenValidationError(.unavailable, "the issuer advertises no introspection_endpoint")
        }
        var form = [("token", token)]
        var headers: [(String, String)] = []
        switch credentials.method {
        case .clientSecretBasic(let secret):
            headers.append(("Authorization", AuthorizationHeader.basic(clientID: credentials.clientID, secret: secret)))
        case .clientSecretPost(let secret):
            form += [("client_id", credentials.clientID), ("client_secret", secret)]
        case .privateKeyJWT:
            form += [("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                     ("client_assertion", try await assertion(audience: endpoint))]
        }
        let answer = try await documents.post(endpoint, form: form, headers: headers)
        guard answer.status == 200, let claims = try? JSONReader.object(in: answer.body) else {
            let text = String(decoding: answer.body.prefix(300), as: UTF8.self)
            throw TokenValidationError(.unavailable, "introspection answered HTTP \(answer.status): \(text)")
        }
        return claims["active"]?.bool == true ? claims : nil
    }

    /// A fresh assertion for each call, aimed at the introspection endpoint.
    private func assertion(audience: String) async throws(TokenValidationError) -> String {
        struct Claims: JWTPayload {
            var iss: String
            var sub: String
            var aud: String
            var iat: Int
            var exp: Int
            var jti: String
            func verify(using algorithm: some JWTAlgorithm) async throws {}
        }
        let now = Int(Date().timeIntervalSince1970)
        let claims = Claims(iss: credentials.clientID, sub: credentials.clientID, aud: audience, iat: now, exp: now + 60,
                            jti: UUID().uuidString + "-" + String(UInt64.random(in: .min ... .max), radix: 36))
        guard let signer else { throw TokenValidationError(.unavailable, "no private key configured") }
        do {
            return try await signer.sign(claims, kid: signerKid.map { JWKIdentifier(string: $0) }, header: ["typ": "JWT"])
        } catch {
            throw TokenValidationError(.unavailable, "the introspection assertion could not be signed: \(error)")
        }
    }
}
