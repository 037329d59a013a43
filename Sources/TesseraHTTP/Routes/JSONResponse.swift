import HTTPTypes
import Hummingbird
import NIOCore
import TesseraStore
import TesseraJSON

/// Small helpers for JSON responses.
enum JSONResponse {
    static func make(_ members: [(String, JSONValue)], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        bytes(JSONWriter.object(members), status: status, headers: headers)
    }

    static func bytes(_ body: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields.add(.contentType, "application/json")
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
