#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the dots of a compact JWS are (RFC 7515 §7.1: exactly two, three parts), found with `memchr`:
/// a byte-by-byte scan of a 600-byte token was a visible part of validating one.
public struct JWSDots: Equatable, Sendable {
    /// Offset of the dot after the header.
    public let first: Int
    /// Offset of the dot before the signature.
    public let second: Int

    /// The two dots of `bytes`, or nil when it has fewer or more than two.
    public init?(in bytes: UnsafeRawBufferPointer) {
        guard let first = Self.dot(in: bytes, from: 0), let second = Self.dot(in: bytes, from: first + 1),
              Self.dot(in: bytes, from: second + 1) == nil else { return nil }
        self.first = first
        self.second = second
    }

    private static func dot(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress,
              let found = memchr(base + start, Int32(UInt8(ascii: ".")), bytes.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }
}
