/// Why a rate limit could not be read, in a sentence naming what was wrong and what is expected.
public struct RateLimitError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
