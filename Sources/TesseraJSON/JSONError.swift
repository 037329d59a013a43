/// Why JSON could not be read, or a member was not what its reader expected.
public struct JSONError: Error, Sendable, CustomStringConvertible {
    /// What was wrong; for syntax errors with the byte position where the reader stopped.
    public let description: String
    /// An error with `description` as its explanation.
    public init(_ description: String) { self.description = description }
}
