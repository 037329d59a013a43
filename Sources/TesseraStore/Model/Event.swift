import Foundation

/// One request to an OAuth endpoint, accepted or not: what `tessera logs` shows and operators search.
///
/// Never holds a secret, a whole token or a whole assertion; a token's `jti` or a hash prefix is
/// enough to correlate.
public struct Event: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable, CaseIterable {
        case success
        case failure
    }

    /// Assigned by the store, increasing; nil before the event is written.
    public var id: Int64?
    public var time: Date
    public var requestID: String
    public var server: String?
    /// `token`, `introspect`, `revoke`, `keys`, `discovery`.
    public var endpoint: String
    public var clientID: String?
    public var outcome: Outcome
    /// A reason code from the catalogue (failures, and inactive introspection answers).
    public var reason: String?
    /// A sentence for people: the error description, or what was done.
    public var message: String
    /// Structured detail: expected vs received values, the kid that did not resolve, scopes asked and granted.
    public var detail: [String: String]
    public var remoteAddress: String?
    public var userAgent: String?

    public init(id: Int64? = nil, time: Date, requestID: String, server: String?, endpoint: String, clientID: String?, outcome: Outcome,
                reason: String?, message: String, detail: [String: String] = [:], remoteAddress: String? = nil, userAgent: String? = nil) {
        self.id = id
        self.time = time
        self.requestID = requestID
        self.server = server
        self.endpoint = endpoint
        self.clientID = clientID
        self.outcome = outcome
        self.reason = reason
        self.message = message
        self.detail = detail
        self.remoteAddress = remoteAddress
        self.userAgent = userAgent
    }
}
