import Foundation
import JWTKit

/// The JSON decoder handed to jwt-kit's parser for token headers and claim sets.
///
/// jwt-kit decodes both with `JSONDecoder`, and claim values of unknown type (custom claims, where a
/// value may be a string, a number or an object) can only be decoded by trying each type in turn, one
/// thrown error per miss. On a first-seen token that costs as much as the signature check. This decoder
/// reads the JSON once with `JSONSerialization` and builds the header, or any `JSONObjectDecodable`
/// claim set, from the result; everything else goes to `JSONDecoder` as before. The parser (splitting,
/// base64url, the signature) stays jwt-kit's.
public struct JWTObjectDecoder: JWTJSONDecoder {
    /// Nesting deeper than this is refused, as jwt-kit refuses deep headers (stack exhaustion).
    public static let maximumDepth = 32

    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if T.self == JWTHeader.self {
            return try JWTHeader(fields: JSONObject(Self.object(data)).values()) as! T
        }
        if let decodable = T.self as? any JSONObjectDecodable.Type {
            return try decodable.init(jsonObject: JSONObject(Self.object(data))) as! T
        }
        return try JSONDecoder().decode(T.self, from: data)
    }

    static func object(_ data: Data) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw JSONObjectError("the JSON is not an object")
        }
        return object
    }
}

/// A claim set (or any JSON object) that can be built from the output of `JSONSerialization`.
public protocol JSONObjectDecodable {
    init(jsonObject: JSONObject) throws
}

/// A decoded JSON object with typed accessors that fail when a member has the wrong type.
public struct JSONObject {
    public let members: [String: Any]

    public init(_ members: [String: Any]) { self.members = members }

    /// The member `name` as a string; nil when absent; an error when it is not a string.
    public func string(_ name: String) throws -> String? {
        guard let value = members[name] else { return nil }
        guard let string = value as? String else { throw JSONObjectError("\(name) is not a string") }
        return string
    }

    /// The member `name` as a number; nil when absent; an error when it is not a number.
    public func number(_ name: String) throws -> Double? {
        guard let value = members[name] else { return nil }
        guard let number = value as? NSNumber, !number.isJSONBoolean else { throw JSONObjectError("\(name) is not a number") }
        return number.doubleValue
    }

    /// The member `name` as one string or an array of strings (how `aud` comes, RFC 7519 §4.1.3).
    public func strings(_ name: String) throws -> [String]? {
        guard let value = members[name] else { return nil }
        if let one = value as? String { return [one] }
        guard let many = value as? [Any], case let strings = many.compactMap({ $0 as? String }), strings.count == many.count else {
            throw JSONObjectError("\(name) is neither a string nor an array of strings")
        }
        return strings
    }

    /// Every member converted to a JSON value type such as the server's `JSONValue`.
    public func values<Value: JSONValueRepresentable>(as _: Value.Type = Value.self) throws -> [String: Value] {
        try members.mapValues { try Value(jsonValue: $0, depth: 1) }
    }
}

/// Why a JSON object could not be read.
public struct JSONObjectError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A JSON value type (a string, a number, a bool, null, an array or an object of itself) that can be
/// built from `JSONSerialization` output. Enums with these cases conform by declaring it.
public protocol JSONValueRepresentable {
    static func string(_ value: String) -> Self
    static func number(_ value: Double) -> Self
    static func bool(_ value: Bool) -> Self
    static func array(_ values: [Self]) -> Self
    static func object(_ members: [String: Self]) -> Self
    static var null: Self { get }
}

extension JSONValueRepresentable {
    init(jsonValue value: Any, depth: Int) throws {
        guard depth <= JWTObjectDecoder.maximumDepth else { throw JSONObjectError("the JSON nests deeper than \(JWTObjectDecoder.maximumDepth) levels") }
        switch value {
        case let string as String: self = .string(string)
        case let number as NSNumber: self = number.isJSONBoolean ? .bool(number.boolValue) : .number(number.doubleValue)
        case let array as [Any]: self = .array(try array.map { try Self(jsonValue: $0, depth: depth + 1) })
        case let object as [String: Any]: self = .object(try object.mapValues { try Self(jsonValue: $0, depth: depth + 1) })
        default: self = .null
        }
    }
}

/// Header fields are JSON values too; jwt-kit splits numbers into integers and decimals.
extension JWTHeaderField: JSONValueRepresentable {
    public static func number(_ value: Double) -> JWTHeaderField {
        Int(exactly: value).map { .int($0) } ?? .decimal(value)
    }
}

extension NSNumber {
    /// `JSONSerialization` gives `true`/`false` as a distinct boolean subclass of `NSNumber`, while `as? Bool`
    /// also accepts the numbers 0 and 1: the class tells them apart.
    var isJSONBoolean: Bool { ObjectIdentifier(type(of: self)) == booleanClass }
}

private let booleanClass = ObjectIdentifier(type(of: NSNumber(value: true)))
