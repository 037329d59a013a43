/// Why a `--trusted-proxy` value could not be read.
public struct IPNetworkError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
