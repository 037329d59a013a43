import Logging
import Testing
@testable import tessera

/// The server's log handler keeps Hummingbird's per-request id readable (its `context.id` force-unwraps it)
/// while leaving it out of the stream handler's rendered metadata.
@Suite struct ServerLogHandlerTests {
    @Test func hummingbirdsRequestIDStaysReadableAndOtherMetadataReachesTheStream() {
        let base = Logger(label: "tessera.test") { label in ServerLogHandler(StreamLogHandler.standardError(label: label)) }
        var request = base
        request[metadataKey: ServerLogHandler.requestIDKey] = "hb-42"
        request[metadataKey: "node"] = "a"
        #expect(request[metadataKey: ServerLogHandler.requestIDKey] == "hb-42", "Hummingbird's context.id reads it back")
        #expect(request[metadataKey: "node"] == "a")
        #expect(request.handler.metadata == [ServerLogHandler.requestIDKey: "hb-42", "node": "a"])
        #expect(base[metadataKey: ServerLogHandler.requestIDKey] == nil && base[metadataKey: "node"] == nil, "a copy's metadata stays its own")

        var replaced = request
        replaced.handler.metadata = ["zone": "eu"]
        #expect(replaced[metadataKey: ServerLogHandler.requestIDKey] == nil && replaced[metadataKey: "node"] == nil)
        #expect(replaced[metadataKey: "zone"] == "eu")
        #expect(request[metadataKey: "node"] == "a", "setting a copy's metadata leaves the original alone")
    }
}
