/// A rejected admin operation, with the sentence the CLI prints.
public struct AdminError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
