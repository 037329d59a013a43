import Foundation
import Hummingbird
import NIOCore
import TesseraCore
import TesseraStore
import TesseraWire

/// The parameters of an `application/x-www-form-urlencoded` body, read strictly (RFC 6749 §3.1–3.2):
/// invalid percent-encoding or UTF-8 is rejected, a parameter sent twice is rejected (except those
/// the RFCs allow to repeat, like RFC 8707 `resource`), and an empty value counts as absent.
public struct FormParameters: Sendable {
    /// In body order. An OAuth request has a handful of parameters: a list read front to back beats
    /// hashing every name into a dictionary of arrays.
    private(set) var pairs: [(name: String, value: String)] = []

    /// Parameters that may legitimately appear more than once.
    static let repeatable: Set<String> = ["resource"]
    /// From this many parameters on, names are also kept in a set, so a hostile body of thousands of
    /// parameters costs linear time, not quadratic.
    static let listedNamesLimit = 16

    public init(parsing bytes: some Collection<UInt8>, origin: String) throws(OAuthError) {
        var names: Set<String>?
        let all = Array(bytes)
        var rest = all[...]
        while !rest.isEmpty {
            let end = Self.firstIndex(of: UInt8(ascii: "&"), in: rest) ?? rest.endIndex
            let pair = rest[..<end]
            rest = end < rest.endIndex ? rest[rest.index(after: end)...] : []
            if pair.isEmpty { continue }
            let equals = Self.firstIndex(of: UInt8(ascii: "="), in: pair)
            let rawName = equals.map { pair[pair.startIndex..<$0] } ?? pair
            let rawValue = equals.map { pair[pair.index(after: $0)...] } ?? []
            guard let name = FormURLEncoding.decodeComponent(rawName), let value = FormURLEncoding.decodeComponent(rawValue) else {
                throw OAuthError(.invalidRequest, .requestMalformedBody,
                                 "the \(origin) has invalid percent-encoding or is not UTF-8; form-encode every name and value")
            }
            guard !value.isEmpty else { continue }
            let seen = names.map { $0.contains(name) } ?? pairs.contains { $0.name == name }
            if seen && !Self.repeatable.contains(name) {
                throw OAuthError(.invalidRequest, .requestDuplicateParameter, "parameter \(quoted(name)) appears more than once in the \(origin); send it once")
            }
            pairs.append((name, value))
            if names != nil {
                names?.insert(name)
            } else if pairs.count == Self.listedNamesLimit {
                names = Set(pairs.map(\.name))
            }
        }
    }

    public init() {}

    /// `memchr` over the slice: a token or an assertion is hundreds of bytes without a separator.
    static func firstIndex(of byte: UInt8, in bytes: ArraySlice<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, let found = memchr(base, Int32(byte), buffer.count) else { return nil }
            return bytes.startIndex + (UnsafeRawPointer(found) - UnsafeRawPointer(base))
        }
    }

    public subscript(_ name: String) -> String? { pairs.first { $0.name == name }?.value }

    public func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }
}

extension Request {
    /// Reads the form body of a POST, after checking its content type and size.
    func formParameters(context: TesseraRequestContext) async throws -> FormParameters {
        let contentType = headers.value(.contentType) ?? ""
        guard Self.isFormMediaType(contentType) else {
            let got = contentType.isEmpty ? "no Content-Type" : "Content-Type \(quoted(contentType))"
            throw OAuthError(.invalidRequest, .requestContentType, "the request has \(got); send the parameters as application/x-www-form-urlencoded")
        }
        // A small form arrives as one buffer: keep it as it is instead of copying it into a new one
        // (`collect(upTo:)`); only a body in several parts is gathered.
        var buffer: ByteBuffer?
        do {
            for try await part in body {
                guard (buffer?.readableBytes ?? 0) + part.readableBytes <= context.maxUploadSize else { throw BodyTooLarge() }
                if buffer == nil { buffer = part } else { buffer?.writeImmutableBuffer(part) }
            }
        } catch {
            throw OAuthError(.invalidRequest, .requestBodyTooLarge, "the request body is larger than 64 KiB", status: 413)
        }
        return try FormParameters(parsing: (buffer ?? ByteBuffer()).readableBytesView, origin: "request body")
    }

    private struct BodyTooLarge: Error {}

    static let formMediaType = Array("application/x-www-form-urlencoded".utf8)

    /// Whether a Content-Type names the form media type (RFC 9110 §8.3: case-insensitive, parameters such as
    /// `charset` after `;`, optional whitespace), read on the bytes: no split, trim or lowercase copies.
    static func isFormMediaType(_ contentType: String) -> Bool {
        let bytes = contentType.utf8
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var start = bytes.startIndex
        var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
        while start < end, isSpace(bytes[start]) { start = bytes.index(after: start) }
        while start < end, isSpace(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        let mediaType = bytes[start..<end]
        // The expected name is lowercase ASCII: an uppercase letter matches its lowercase (0x20 apart).
        return mediaType.count == formMediaType.count && zip(mediaType, formMediaType).allSatisfy { byte, expected in
            byte == expected || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) && byte | 0x20 == expected
        }
    }

    /// The query string's parameters, read with the same strictness as the body.
    func queryParameters() throws(OAuthError) -> FormParameters {
        guard let query = uri.query, !query.isEmpty else { return FormParameters() }
        return try FormParameters(parsing: query.utf8, origin: "query string")
    }
}
