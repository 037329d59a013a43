import Foundation
import TesseraJSON

/// Where the CLI writes: results to stdout, failures as one line to stderr.
enum Console {
    static func fail(_ line: String, status: Int32) async -> Never {
        await OpenStores.shared.closeAll()
        FileHandle.standardError.write(Data((line + "\n").utf8))
        exit(status)
    }

    /// What a command did: the sentence for people, or with `--json` one object naming it.
    static func done(_ sentence: String, json: Bool, _ members: [(String, JSONValue)]) {
        if json { Self.json(members) } else { print(sentence) }
    }

    static func json(_ members: [(String, JSONValue)]) {
        print(String(decoding: JSONWriter.object(members), as: UTF8.self))
    }
}
