/// The outcome of checking a token: its facts, or the reason it is not active.
public enum TokenCheck: Sendable {
    case active(TokenFacts)
    case inactive(ReasonCode, detail: [String: String])
}
