/// A rejected admin operation, with the sentence the CLI prints and the management API sends as the
/// problem's `detail`; `kind` picks the API's status and reason, `field` names the offending input.
public struct AdminError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, for the status the API answers with.
    public enum Kind: Sendable, Equatable {
        /// The input breaks a rule (400).
        case invalid
        /// The named thing does not exist (404).
        case notFound
        /// The operation clashes with what exists (409): a name taken, the current key, a built-in server.
        case conflict
    }

    public let description: String
    public let kind: Kind
    /// The input field (API body member or CLI option) at fault, when one is.
    public let field: String?

    public init(_ description: String, kind: Kind = .invalid, field: String? = nil) {
        self.description = description
        self.kind = kind
        self.field = field
    }

    /// The named server, client, user or key does not exist.
    public static func notFound(_ description: String) -> AdminError { AdminError(description, kind: .notFound) }
    /// The operation clashes with what exists.
    public static func conflict(_ description: String) -> AdminError { AdminError(description, kind: .conflict) }
}
