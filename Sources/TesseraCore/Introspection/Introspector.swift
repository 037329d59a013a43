import Foundation
import TesseraStore

/// Who is asking to introspect: a client that authenticated with its registered method, or the
/// client behind a Bearer access token carrying `tessera:introspect`.
public struct IntrospectionCaller: Sendable {
    public var client: Client
    public var viaBearer: Bool

    public init(client: Client, viaBearer: Bool) {
        self.client = client
        self.viaBearer = viaBearer
    }
}

/// The answer of the introspection endpoint (RFC 7662), before rendering.
public enum IntrospectionResult: Sendable {
    /// `members` in the order they are rendered, starting with `"active": true`.
    case active(members: [(String, JSONValue)], facts: TokenFacts)
    /// Rendered as exactly `{"active":false}`; the reason is for the log only.
    case inactive(ReasonCode, detail: [String: String])
}

/// RFC 7662 introspection with Tessera's access policy: a client sees tokens issued to itself, and a
/// client registered for resources R (`--introspects`) sees tokens whose `aud` names one of R. Every
/// other token is `{"active":false}` for it, whatever its state, so introspection reveals nothing
/// about tokens the caller has no business with.
public struct Introspector: Sendable {
    /// The scope a Bearer token needs to call introspection.
    public static let introspectScope = "tessera:introspect"

    let verifier: TokenVerifier

    public init(verifier: TokenVerifier) {
        self.verifier = verifier
    }

    public func introspect(_ token: String, caller: IntrospectionCaller, server: AuthorizationServer) async throws(OAuthError) -> IntrospectionResult {
        switch try await verifier.check(token, server: server) {
        case .inactive(let reason, let detail):
            return .inactive(reason, detail: detail)
        case .active(let facts):
            guard Self.maySee(caller.client, facts) else {
                return .inactive(.tokenNotVisible, detail: ["token_client_id": facts.clientID, "jti": facts.jti])
            }
            return .active(members: Self.members(facts), facts: facts)
        }
    }

    /// The access policy: the token's own client, or a resource server registered for one of its audiences.
    public static func maySee(_ caller: Client, _ facts: TokenFacts) -> Bool {
        caller.id == facts.clientID || facts.audiences.contains(where: caller.introspectableResources.contains)
    }

    /// The members of an active answer: registered claims in RFC 7662 order, then custom claims.
    static func members(_ facts: TokenFacts) -> [(String, JSONValue)] {
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
