import TesseraCore
import Synchronization

/// What a route learned about its request, for the event the middleware writes when the response
/// is known. A reference (one per request) because routes get the context by value.
public final class EventNote: Sendable {
    struct Draft {
        var endpoint: String?
        var server: String?
        var clientID: String?
        var message: String?
        var reason: String?
        var detail: [String: String] = [:]
        /// The caller's address when it differs from the peer's (a trusted proxy forwarded it).
        var address: String?
        /// A rejection the route rendered itself (an error page, a redirect with an error) instead of throwing.
        var rejection: OAuthError?
    }

    private let draft = Mutex(Draft())

    public init() {}

    /// Marks the request as one to an OAuth endpoint: it will leave an event.
    func begin(endpoint: String, server: String) {
        draft.withLock {
            $0.endpoint = endpoint
            $0.server = server
        }
    }

    /// Records who the request was about and what was done (success), or an inactive reason.
    func note(clientID: String? = nil, message: String, reason: String? = nil, detail: [String: String] = [:]) {
        draft.withLock { draft in
            if let clientID { draft.clientID = clientID }
            draft.message = message
            draft.reason = reason
            if draft.detail.isEmpty { draft.detail = detail } else { draft.detail.merge(detail) { _, new in new } }
        }
    }

    /// Records the caller's address as `ClientAddress` resolved it (the proxy and ignored headers in the detail).
    func note(_ caller: ClientAddress) {
        draft.withLock { draft in
            draft.address = caller.address
            draft.detail.merge(caller.detail) { _, new in new }
        }
    }

    /// Records an endpoint's decision (`EventFacts` from the core).
    func note(_ facts: EventFacts) {
        note(clientID: facts.clientID, message: facts.message, reason: facts.reason?.rawValue, detail: facts.detail)
    }

    /// Records a rejection the route answers itself (pages and redirects of the authorization flow): the
    /// event is a failure with its reason, as if the error had been thrown.
    func reject(_ error: OAuthError) {
        draft.withLock { $0.rejection = error }
    }

    var current: Draft { draft.withLock { $0 } }
}
