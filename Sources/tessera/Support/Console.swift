import Foundation
import TesseraJSON

/// Where the CLI writes: results to stdout, failures as one line to stderr.
enum Console {
    static func fail(_ line: String, status: Int32) async -> Never {
        await OpenStores.shared.closeAll()
        FileHandle.standardError.write(Data((line + "\n").utf8))
        exit(status)
    }

    static func json(_ members: [(String, JSONValue)]) {
        print(String(decoding: JSONWriter.object(members), as: UTF8.self))
    }
}
