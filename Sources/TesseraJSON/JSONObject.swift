/// A JSON object with typed accessors that fail when a member has the wrong type, for claim sets that
/// pick typed claims (a client assertion's `exp` must be a number, not `"soon"`).
public struct JSONObject: Sendable {
    /// The object's members as read.
    public let members: [String: JSONValue]

    /// Wraps members read by `JSONReader`.
    public init(_ members: [String: JSONValue]) { self.members = members }

    /// The member `name` as a string; nil when absent; an error when it is not a string.
    public func string(_ name: String) throws(JSONError) -> String? {
        switch members[name] {
        case nil: return nil
        case .string(let string)?: return string
        default: throw JSONError("\(name) is not a string")
        }
    }

    /// The member `name` as a number; nil when absent; an error when it is not a number.
    public func number(_ name: String) throws(JSONError) -> Double? {
        switch members[name] {
        case nil: return nil
        case .number(let number)?: return number
        default: throw JSONError("\(name) is not a number")
        }
    }

    /// The member `name` as one string or an array of strings (how `aud` comes, RFC 7519 §4.1.3).
    public func strings(_ name: String) throws(JSONError) -> [String]? {
        switch members[name] {
        case nil: return nil
        case .string(let one)?: return [one]
        case .array(let many)?:
            let strings = many.compactMap(\.string)
            if strings.count == many.count { return strings }
        default: break
        }
        throw JSONError("\(name) is neither a string nor an array of strings")
    }
}
