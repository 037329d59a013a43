import Foundation
import Synchronization
import TesseraStore
import TesseraJSON

/// RFC 7662 introspection with Tessera's access policy: a client sees tokens issued to itself, and a
/// client registered for resources R (`--introspects`) sees tokens whose `aud` names one of R. Every
/// other token is `{"active":false}` for it, whatever its state, so introspection reveals nothing
/// about tokens the caller has no business with.
public struct Introspector: Sendable {
    /// The scope a Bearer token needs to call introspection.
    public static let introspectScope = "tessera:introspect"

    let verifier: TokenVerifier
    let answers: RenderedAnswers

    /// `maxCachedAnswers`: as many as the verifier caches tokens, so every cached token has its answer.
    public init(verifier: TokenVerifier, maxCachedAnswers: Int = 100_000) {
        self.verifier = verifier
        self.answers = RenderedAnswers(limit: maxCachedAnswers)
    }

    public func introspect(_ token: String, caller: IntrospectionCaller, server: AuthorizationServer) async throws(OAuthError) -> IntrospectionResult {
        switch try await verifier.check(token, server: server) {
        case .inactive(let reason, let detail):
            return .inactive(reason, detail: detail)
        case .active(let facts):
            guard Self.maySee(caller.client, facts) else {
                return .inactive(.tokenNotVisible, detail: ["token_client_id": facts.clientID, "jti": facts.jti])
            }
            return .active(answer: answers.answer(for: facts), facts: facts)
        }
    }

    /// The access policy: the token's own client, or a resource server registered for one of its audiences.
    public static func maySee(_ caller: Client, _ facts: TokenFacts) -> Bool {
        caller.id == facts.clientID || facts.audiences.contains(where: caller.introspectableResources.contains)
    }

    /// The members of an active answer: registered claims in RFC 7662 order, then custom claims.
    public static func members(_ facts: TokenFacts) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = []
        members.reserveCapacity(12 + facts.customClaims.count)
        members.append(("active", .bool(true)))
        if !facts.scopes.isEmpty { members.append(("scope", .string(facts.scopes.joined(separator: " ")))) }
        members.append(("client_id", .string(facts.clientID)))
        members.append(("token_type", .string(facts.kind == .refreshToken ? "refresh_token" : "Bearer")))
        members.append(("exp", .number(Double(facts.expiresAt))))
        members.append(("iat", .number(Double(facts.issuedAt))))
        members.append(("nbf", .number(Double(facts.notBefore))))
        members.append(("sub", .string(facts.subject)))
        if facts.audiences.count == 1 { members.append(("aud", .string(facts.audiences[0]))) }
        else if !facts.audiences.isEmpty { members.append(("aud", .array(facts.audiences.map(JSONValue.string)))) }
        members.append(("iss", .string(facts.issuer)))
        members.append(("jti", .string(facts.jti)))
        if let username = facts.username { members.append(("username", .string(username))) }
        for key in facts.customClaims.keys.sorted() where key != "active" && key != "token_type" {
            if let value = facts.customClaims[key] { members.append((key, value)) }
        }
        return members
    }
}

/// Rendered active answers by token hash, so a token introspected again costs a lookup instead of
/// building and writing a dozen members.
///
/// Safe to reuse because an answer is a function of the token alone: a JWT's claims are in the token,
/// an opaque record never changes but for `revoked`, and an answer is only served after the verifier
/// found the token active for this server (expiry, revocation and the caller's policy are checked
/// every time, before this lookup). Bounded: emptied when full.
final class RenderedAnswers: Sendable {
    /// Bounded with the least recently used going first: clearing everything when full made a working set
    /// just above the bound render every answer again (measured: introspection over 10,000 distinct tokens at
    /// 0.73x of one token, with a bound of 10,000).
    private let rendered: Mutex<BoundedTable<TokenDigest, [UInt8]>>
    let limit: Int

    init(limit: Int) {
        self.limit = limit
        rendered = Mutex(BoundedTable(capacity: limit))
    }

    func answer(for facts: TokenFacts) -> [UInt8] {
        if let known = rendered.withLock({ $0.value(for: facts.digest) }) { return known }
        let answer = JSONWriter.object(Introspector.members(facts))
        rendered.withLock { $0.set(answer, for: facts.digest) }
        return answer
    }
}
