import TesseraCore

/// What `ConnectionGuard` refused, handed to the runtime to become a log line and an event.
public struct FramingRejection: Sendable {
    public let requestID: String
    public let error: OAuthError
    public let remoteAddress: String?
}
