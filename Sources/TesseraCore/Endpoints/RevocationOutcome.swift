/// What the revocation endpoint did (it answers 200 either way, RFC 7009 §2.2): the event's facts and
/// the facts of the revoked token, or nil when there was nothing to revoke.
public struct RevocationOutcome: Sendable {
    public var event: EventFacts
    public var revoked: TokenFacts?
}
