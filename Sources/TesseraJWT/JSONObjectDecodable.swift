import JWTKit

/// A claim set built from the members of a JSON object, each read as `Member`.
///
/// Claim sets that keep every claim use their own JSON value type as `Member`; claim sets that pick
/// typed claims use `JSONNode` and `JSONObject`'s accessors.
public protocol JSONObjectDecodable {
    associatedtype Member: JSONValueRepresentable
    init(members: [String: Member]) throws
    /// Reads `json`, which must be exactly one JSON object. Provided; inlinable so that the reader is
    /// specialised for `Member` in the conforming type's module.
    init(json: UnsafeRawBufferPointer) throws
}

extension JSONObjectDecodable {
    @inlinable
    public init(json: UnsafeRawBufferPointer) throws {
        try self.init(members: JSONReader<Member>.object(in: json))
    }
}

/// A JSON value as `JSONReader` gives it, for claim sets that read typed members through `JSONObject`.
public enum JSONNode: JSONValueRepresentable, Sendable, Equatable {
    /// Nesting deeper than this is refused when reading, as jwt-kit refuses deep headers (stack exhaustion).
    public static let maximumDepth = 32

    case string(String)
    case number(Double)
    case bool(Bool)
    case array([JSONNode])
    case object([String: JSONNode])
    case null
}

/// A JSON object with typed accessors that fail when a member has the wrong type.
public struct JSONObject: Sendable {
    /// The object's members as read.
    public let members: [String: JSONNode]

    /// Wraps members read by `JSONReader`.
    public init(_ members: [String: JSONNode]) { self.members = members }

    /// The member `name` as a string; nil when absent; an error when it is not a string.
    public func string(_ name: String) throws -> String? {
        switch members[name] {
        case nil: return nil
        case .string(let string)?: return string
        default: throw JSONObjectError("\(name) is not a string")
        }
    }

    /// The member `name` as a number; nil when absent; an error when it is not a number.
    public func number(_ name: String) throws -> Double? {
        switch members[name] {
        case nil: return nil
        case .number(let number)?: return number
        default: throw JSONObjectError("\(name) is not a number")
        }
    }

    /// The member `name` as a NumericDate (RFC 7519 §2: seconds since 1970); nil when absent; an error when
    /// it is not a number or lies outside `NumericDate.range` (a hostile `1e300` is refused here, once).
    public func numericDate(_ name: String) throws -> Double? {
        guard let number = try number(name) else { return nil }
        guard NumericDate.isAcceptable(number) else {
            throw JSONObjectError("\(name) \(number) is not a date between the years 1 and 9999 in seconds since 1970")
        }
        return number
    }

    /// The member `name` as one string or an array of strings (how `aud` comes, RFC 7519 §4.1.3).
    public func strings(_ name: String) throws -> [String]? {
        switch members[name] {
        case nil: return nil
        case .string(let one)?: return [one]
        case .array(let many)?:
            let strings = many.compactMap { if case .string(let string) = $0 { string } else { nil } }
            if strings.count == many.count { return strings }
        default: break
        }
        throw JSONObjectError("\(name) is neither a string nor an array of strings")
    }
}

/// Why a JSON object could not be read.
public struct JSONObjectError: Error, CustomStringConvertible {
    /// What was wrong, with the byte position where the reader stopped.
    public let description: String
    /// An error with `description` as its explanation.
    public init(_ description: String) { self.description = description }
}

/// A JSON value type (a string, a number, a bool, null, an array or an object of itself) that
/// `JSONReader` can build. Enums with these cases conform by declaring it.
public protocol JSONValueRepresentable {
    static func string(_ value: String) -> Self
    static func number(_ value: Double) -> Self
    static func bool(_ value: Bool) -> Self
    static func array(_ values: [Self]) -> Self
    static func object(_ members: [String: Self]) -> Self
    static var null: Self { get }
}

/// Header fields are JSON values too; jwt-kit splits numbers into integers and decimals.
extension JWTHeaderField: JSONValueRepresentable {
    /// A whole number as `.int`, anything else as `.decimal`, as jwt-kit reads header numbers.
    public static func number(_ value: Double) -> JWTHeaderField {
        Int(exactly: value).map { .int($0) } ?? .decimal(value)
    }
}
