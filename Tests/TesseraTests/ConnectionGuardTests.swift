import Foundation
import Testing
import TesseraCore
import TesseraHTTP
import TesseraStore

/// Broken HTTP framing and slow clients against a live server socket: every refusal is the JSON error
/// shape with a request id (and an event), and no connection can be held open by trickling bytes.
@Suite struct ConnectionGuardTests {
    static func port(_ base: String) -> Int { Int(base.split(separator: ":").last ?? "") ?? 0 }

    /// Sends `bytes` on a fresh connection and returns what came back before the server closed it.
    static func exchange(_ base: String, _ bytes: [UInt8]) async throws -> String {
        let connection = try RawHTTPConnection(port: port(base))
        connection.send(bytes)
        return await connection.readUntilClosed().text
    }

    @Test func malformedFramingGetsTheJSONErrorShapeAnd431ForOversizedHeaders() async throws {
        try await LiveServer.with { deployment, base in
            let start = "POST /oauth2/default/v1/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            let manyHeaders = (0..<1000).map { "X-H\($0): v\r\n" }.joined()
            let cases: [(String, [UInt8], Int, String)] = [
                ("two Content-Length", Array((start + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nabcde").utf8), 400, "Content-Length"),
                ("invalid Content-Length", Array((start + "Content-Length: 5x\r\n\r\nabcde").utf8), 400, "Content-Length"),
                ("CL + TE", Array((start + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").utf8), 400, "Transfer-Encoding"),
                ("NUL in a header", Array(start.utf8) + Array("X-A: a".utf8) + [0] + Array("b\r\nContent-Length: 0\r\n\r\n".utf8), 400, "character HTTP forbids"),
                ("obs-fold", Array((start + "X-A: a\r\n  folded\r\nContent-Length: 0\r\n\r\n").utf8), 400, "character HTTP forbids"),
                ("1000 headers", Array((start + manyHeaders + "Content-Length: 0\r\n\r\n").utf8), 431, "header fields"),
                ("a 40 KiB header", Array((start + "X-Big: " + String(repeating: "a", count: 40_000) + "\r\n\r\n").utf8), 431, "too large"),
            ]
            for (name, bytes, status, words) in cases {
                let text = try await Self.exchange(base, bytes)
                #expect(text.hasPrefix("HTTP/1.1 \(status) "), "\(name): \(text.prefix(200))")
                guard let split = text.range(of: "\r\n\r\n") else { Issue.record("\(name): no body in \(text.prefix(200))"); continue }
                let head = text[..<split.lowerBound].lowercased()
                #expect(head.contains("content-type: application/json"), "\(name)")
                #expect(head.contains("connection: close"), "\(name)")
                let body = try #require(try JSONSerialization.jsonObject(with: Data(text[split.upperBound...].utf8)) as? [String: Any], "\(name)")
                #expect(body["error"] as? String == "invalid_request", "\(name)")
                let description = body["error_description"] as? String ?? ""
                #expect(description.contains("the request is not valid HTTP") && description.contains(words), "\(name): \(description)")
                let requestID = try #require(body["request_id"] as? String)
                #expect(head.contains("x-request-id: \(requestID.lowercased())"), "\(name)")
            }
            let events = try await deployment.events(EventQuery(reason: ReasonCode.requestMalformedHTTP.rawValue))
            #expect(events.count == cases.count)
            #expect(await ServeProcessTests.get(base + "/healthz")?.0 == 200, "the server still serves")
        }
    }

    /// What the server answered to `bytes`, sent on a connection that then goes quiet, and how long it
    /// took the server to close that connection.
    static func quietAfter(_ bytes: String, timeouts: ConnectionTimeouts) async throws -> (text: String, closedAfter: Duration) {
        try await LiveServer.with(timeouts: timeouts) { _, base in
            let connection = try RawHTTPConnection(port: Self.port(base))
            connection.send(bytes)
            return await connection.readUntilClosed()
        }
    }

    @Test func aRequestHeadTricklingInIsCutOffAtTheIdleTimeout() async throws {
        let (text, closedAfter) = try await Self.quietAfter("POST /oauth2/default/v1/token HTTP/1.1\r\nHost: x\r\nX-Slow: ",
                                                            timeouts: ConnectionTimeouts(idle: .milliseconds(500), request: .seconds(1)))
        #expect(text.isEmpty, "nothing is answered to a request that never arrived: \(text)")
        #expect(closedAfter < .seconds(5), "closed after \(closedAfter)")
    }

    @Test func aBodyTricklingInIsCutOffAtTheRequestTimeout() async throws {
        let head = "POST /oauth2/default/v1/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
        let (_, closedAfter) = try await Self.quietAfter(head + "grant_type=", timeouts: ConnectionTimeouts(idle: .seconds(30), request: .milliseconds(500)))
        #expect(closedAfter < .seconds(5), "a 30 s idle timeout must not keep a half-sent body open: closed after \(closedAfter)")
    }

    @Test func keptAliveConnectionsServeSeveralRequestsWithinTheTimeouts() async throws {
        try await LiveServer.with(timeouts: ConnectionTimeouts(idle: .seconds(5), request: .seconds(5))) { _, base in
            let connection = try RawHTTPConnection(port: Self.port(base))
            connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let (text, _) = await connection.readUntilClosed()
            #expect(text.components(separatedBy: "HTTP/1.1 200").count == 3, "\(text)")
        }
    }
}
