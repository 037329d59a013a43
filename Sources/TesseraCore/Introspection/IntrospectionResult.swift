/// The answer of the introspection endpoint (RFC 7662).
public enum IntrospectionResult: Sendable {
    /// `answer` is the JSON body (`Introspector.members(facts)` rendered, `"active": true` first).
    case active(answer: [UInt8], facts: TokenFacts)
    /// Rendered as exactly `{"active":false}`; the reason is for the log only.
    case inactive(ReasonCode, detail: [String: String])
}
