/// What an endpoint decided about a request, for its event (the HTTP layer writes one per OAuth
/// request): who it was about, what was done, and — for answers that are not errors yet not a plain
/// success, such as `{"active":false}` — the reason.
public struct EventFacts: Sendable, Equatable {
    public var clientID: String?
    public var message: String
    public var reason: ReasonCode?
    public var detail: [String: String]

    public init(clientID: String?, message: String, reason: ReasonCode? = nil, detail: [String: String] = [:]) {
        self.clientID = clientID
        self.message = message
        self.reason = reason
        self.detail = detail
    }
}
