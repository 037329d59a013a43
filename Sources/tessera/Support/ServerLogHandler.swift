import Logging

/// The server's log handler: swift-log's `StreamLogHandler` output, minus Hummingbird's `hb.request.id`.
///
/// Hummingbird copies the logger for every request to attach its own request id, and `StreamLogHandler`
/// renders all of its metadata into a string whenever metadata is set — on every request, for a value
/// Tessera never prints (its own `request_id` is on every line it writes and in `X-Request-Id`). This
/// handler ignores that key and keeps the stream handler in a shared box, so a copy of the logger copies
/// two words instead of the whole handler.
struct ServerLogHandler: LogHandler {
    /// Hummingbird's per-request id, set on every request's logger copy.
    static let ignoredKey = "hb.request.id"

    private final class Box: Sendable {
        let stream: StreamLogHandler
        init(_ stream: StreamLogHandler) { self.stream = stream }
    }

    private var box: Box
    var logLevel: Logger.Level

    init(_ stream: StreamLogHandler) {
        box = Box(stream)
        logLevel = stream.logLevel
    }

    func log(event: LogEvent) {
        box.stream.log(event: event)
    }

    var metadata: Logger.Metadata {
        get { box.stream.metadata }
        set { change { $0.metadata = newValue } }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { box.stream[metadataKey: key] }
        set {
            guard key != Self.ignoredKey else { return }
            change { $0[metadataKey: key] = newValue }
        }
    }

    private mutating func change(_ edit: (inout StreamLogHandler) -> Void) {
        var stream = box.stream
        edit(&stream)
        box = Box(stream)
    }
}
