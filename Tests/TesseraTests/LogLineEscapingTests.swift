import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore
import Testing
import TesseraCore
import TesseraStore
@testable import tessera

/// Values from a request never start a line of their own in the server log (CWE-117).
@Suite struct LogLineEscapingTests {
    @Test func controlCharactersInMessagesKeysAndValuesAreEscaped() {
        #expect(LogLineEscaping.escaped("plain text") == "plain text")
        #expect(LogLineEscaping.escaped("a\r\nb\tc\u{0}d\u{7F}e\u{1B}[31m") == #"a\r\nb\tc\u{0}d\u{7f}e\u{1b}[31m"#)
        let metadata: Logger.Metadata = ["k\ney": "v\r\nx", "list": ["a\nb"], "nested": ["i": "j\nk"], "n": .stringConvertible(42)]
        let escaped = LogLineEscaping.escaped(metadata)
        #expect(escaped[#"k\ney"#] == #"v\r\nx"#)
        #expect(escaped["list"] == [#"a\nb"#])
        #expect(escaped["nested"] == ["i": #"j\nk"#])
        #expect(escaped["n"] == "42")
    }

    @Test func tesseraLogsPrintsOneLinePerEventWhateverItsFieldsHold() {
        let event = Event(time: Date(timeIntervalSince1970: 1_800_000_000), requestID: "r1", server: "default", endpoint: "token",
                          clientID: "ghost\r\nFORGED", outcome: .failure, reason: "client_auth.unknown_client",
                          message: "no client \"ghost\r\nFORGED\"", detail: [:])
        let line = Logs.humanLine(event)
        #expect(!line.contains("\n") && !line.contains("\r"))
        #expect(line.contains(#"ghost\r\nFORGED"#))
        let json = Logs.jsonLine(event)
        #expect(!json.contains("\n") && !json.contains("\r"), "JSON lines escape control characters too: \(json)")
    }

    static func post(_ url: String, _ body: String) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: body))
        return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code)
    }

    @Test func crlfInAClientIDOrAKidCannotForgeALineOfTheServerLog() async throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = ["--data-dir", dir.appendingPathComponent("data").path]
        let port = CLIProcess.freePort()
        let base = "http://127.0.0.1:\(port)"
        let log = dir.appendingPathComponent("serve.log")
        let server = try CLIProcess.start(["serve", "--port", String(port)] + data, stderr: log, environment: ["TESSERA_LOG_LEVEL": "info"])
        defer { if server.isRunning { server.terminate() } }
        try await ServeProcessTests.waitUntilHealthy(base)

        let key = P256.Signing.PrivateKey()
        let jwks = dir.appendingPathComponent("client.jwks.json")
        try ClientKeyPair(pem: key.pemRepresentation).jwksDocument(kid: "k1").write(to: jwks, atomically: true, encoding: .utf8)
        let created = CLIProcess.json(try CLIProcess.run(["clients", "create", "--server", "default", "--name", "signer", "--auth-method", "private_key_jwt",
                                                          "--jwks-file", jwks.path, "--json"] + data).stdout)
        let id = try #require(created["client_id"] as? String)
        try await ServeProcessTests.waitUntilServerKnows(client: id, issuer: base + "/oauth2/default")

        let token = base + "/oauth2/default/v1/token"
        let forgedID = "ghost%0D%0AFORGED-BY-CLIENT-ID%20level=info"
        #expect(try await Self.post(token, "grant_type=client_credentials&client_id=\(forgedID)&client_secret=x") == 400)
        let now = Date().epochSeconds
        let claims = #"{"iss":"\#(id)","sub":"\#(id)","aud":"\#(token)","iat":\#(now),"exp":\#(now + 60),"jti":"\#(UUID().uuidString)"}"#
        let assertion = try HandMadeJWS.es256(header: #"{"alg":"ES256","kid":"k1\r\nFORGED-BY-KID level=info"}"#, claims: claims, key: key)
        let form = "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=" + assertion
        #expect(try await Self.post(token, form) == 400)

        var text = ""
        for _ in 0..<50 {
            text = try String(contentsOf: log, encoding: .utf8)
            if text.contains("FORGED-BY-KID") && text.contains("FORGED-BY-CLIENT-ID") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let lines = text.split(separator: "\n")
        #expect(lines.contains { $0.contains(#"ghost\r\nFORGED-BY-CLIENT-ID level=info"#) }, "\(text)")
        #expect(lines.contains { $0.contains(#"k1\r\nFORGED-BY-KID level=info"#) }, "\(text)")
        #expect(!lines.contains { $0.hasPrefix("FORGED") }, "a request value started a log line:\n\(text)")
    }
}
