import JWTKit
import Synchronization

/// Headers already read, by their exact base64url text. Every token signed with one key carries the
/// same header, so a first-seen token skips decoding and reading it. Reading a header is a pure
/// function of its bytes, so sharing the results process-wide is safe; the memo holds at most
/// `capacity` headers and starts over when full, so tokens with made-up headers cannot grow it.
public final class HeaderMemo: Sendable {
    /// The process-wide memo (reading a header depends on nothing but its bytes).
    public static let shared = HeaderMemo()
    /// Headers kept before the memo starts over.
    public static let capacity = 64

    private let headers = Mutex<[EncodedHeader: JWTHeader]>([:])

    func header(for encoded: ArraySlice<UInt8>, read: () throws(JWTError) -> JWTHeader) throws(JWTError) -> JWTHeader {
        if let known = headers.withLock({ $0[EncodedHeader(encoded)] }) { return known }
        let header = try read()
        let key = EncodedHeader(ArraySlice(Array(encoded)))
        headers.withLock { headers in
            if headers.count >= Self.capacity { headers.removeAll() }
            headers[key] = header
        }
        return header
    }

    /// How many headers are memoised now.
    public var count: Int { headers.withLock { $0.count } }
}

/// A header's base64url bytes as a dictionary key, hashed in one call rather than byte by byte.
private struct EncodedHeader: Hashable, Sendable {
    let bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func == (lhs: EncodedHeader, rhs: EncodedHeader) -> Bool {
        lhs.bytes.elementsEqual(rhs.bytes)
    }
}
