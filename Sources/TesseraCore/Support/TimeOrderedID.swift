import Foundation
import Synchronization

/// Unique ids that sort by creation time, for requests: the milliseconds since 1970 in 12 hex digits,
/// six base64url characters drawn once per process (so two nodes' ids differ), and a per-process
/// counter in 6 hex digits (so ids of one millisecond differ and keep their order).
///
/// Request ids are indexed in the event log; ids that arrive in order are appended to the index's last
/// page instead of rewriting a random page per event. They are not secrets: a random draw per request
/// cost a system call (BoringSSL mixes the kernel's generator into every draw), a visible share of a
/// cached introspection.
public enum TimeOrderedID {
    public static let length = 24
    private static let processMark = Array(SecureRandom.token(byteCount: 6).utf8.prefix(6))
    private static let counter = Atomic<UInt32>(0)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    public static func next(now: Date = Date()) -> String {
        let milliseconds = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let sequence = UInt64(counter.wrappingAdd(1, ordering: .relaxed).oldValue)
        return String(unsafeUninitializedCapacity: length) { id in
            hex(milliseconds, digits: 12, into: id, at: 0)
            for offset in 0..<6 { id[12 + offset] = processMark[offset] }
            hex(sequence, digits: 6, into: id, at: 18)
            return length
        }
    }

    /// The low `digits` hex digits of `value`, most significant first.
    private static func hex(_ value: UInt64, digits: Int, into id: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        for offset in 0..<digits {
            id[start + offset] = hexDigits[Int((value >> UInt64(4 * (digits - 1 - offset))) & 0xF)]
        }
    }
}
