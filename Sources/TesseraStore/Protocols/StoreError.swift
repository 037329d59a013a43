/// Why a store operation failed, in terms callers can act on.
///
/// Backends translate their own errors (SQLite result codes, PostgreSQL SQLSTATEs) into these, so the
/// core never sees SQL.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A record with the same key exists (a server name, a client id, a scope name).
    case alreadyExists(String)
    /// The record to change does not exist.
    case notFound(String)
    /// The store could not be reached or failed; the operation may be retried later.
    case unavailable(String)

    /// `error` as a store error: itself when it is one, else `unavailable` with its description (for a
    /// backend's own helpers whose failures are not yet translated).
    public init(wrapping error: any Error) {
        self = (error as? StoreError) ?? .unavailable(String(describing: error))
    }

    public var description: String {
        switch self {
        case .alreadyExists(let what): return "\(what) already exists"
        case .notFound(let what): return "\(what) does not exist"
        case .unavailable(let why): return "store unavailable: \(why)"
        }
    }
}
