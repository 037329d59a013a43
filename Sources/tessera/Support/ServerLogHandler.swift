import Logging

/// The server's log handler: swift-log's `StreamLogHandler` output, minus Hummingbird's `hb.request.id`, with
/// every message and metadata value escaped by `LogLineEscaping` (one log line per call, whatever a request carried).
///
/// Hummingbird copies the logger for every request to attach its own request id, and `StreamLogHandler`
/// renders all of its metadata into a string whenever metadata is set — on every request, for a value
/// Tessera never prints (its own `request_id` is on every line it writes and in `X-Request-Id`). This
/// handler keeps that one value beside the stream handler (Hummingbird's `context.id` still reads it) and
/// the stream handler in a shared box, so a request's logger copy neither re-renders nor copies it.
struct ServerLogHandler: LogHandler {
    /// Hummingbird's per-request id, set on every request's logger copy.
    static let requestIDKey = "hb.request.id"

    private final class Box: Sendable {
        let stream: StreamLogHandler
        init(_ stream: StreamLogHandler) { self.stream = stream }
    }

    private var box: Box
    private var requestID: Logger.MetadataValue?
    var logLevel: Logger.Level

    init(_ stream: StreamLogHandler) {
        box = Box(stream)
        logLevel = stream.logLevel
    }

    func log(event: LogEvent) {
        box.stream.log(event: LogLineEscaping.escaped(event))
    }

    var metadata: Logger.Metadata {
        get {
            var metadata = box.stream.metadata
            metadata[Self.requestIDKey] = requestID
            return metadata
        }
        set {
            var rest = newValue
            requestID = rest.removeValue(forKey: Self.requestIDKey)
            change { $0.metadata = LogLineEscaping.escaped(rest) }
        }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { key == Self.requestIDKey ? requestID : box.stream[metadataKey: key] }
        set {
            if key == Self.requestIDKey {
                requestID = newValue
            } else {
                change { $0[metadataKey: LogLineEscaping.escaped(key)] = newValue.map(LogLineEscaping.escaped) }
            }
        }
    }

    private mutating func change(_ edit: (inout StreamLogHandler) -> Void) {
        var stream = box.stream
        edit(&stream)
        box = Box(stream)
    }
}
