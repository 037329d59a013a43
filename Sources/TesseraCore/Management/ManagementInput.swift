import TesseraJSON
import TesseraStore

/// A management API request body, read field by field: an unknown field, a wrong type or a value out of
/// range is a 400 problem naming the field (`detail["field"]`), never ignored and never a 500.
public struct ManagementInput: Sendable {
    public let members: [String: JSONValue]

    public init(members: [String: JSONValue]) { self.members = members }

    /// Reads a body that must be one JSON object (an empty body reads as `{}`).
    public init(body: [UInt8]) throws(OAuthError) {
        guard !body.isEmpty else {
            members = [:]
            return
        }
        guard String(validating: body, as: UTF8.self) != nil else {
            throw OAuthError(.invalidRequest, .apiBodyMalformed, "the request body is not UTF-8; send a JSON object in UTF-8")
        }
        do {
            members = try JSONReader.object(in: body)
        } catch {
            throw OAuthError(.invalidRequest, .apiBodyMalformed, "the request body is not a JSON object: \(error.description)")
        }
    }

    /// Refuses members other than `allowed` (a typo must not be silently ignored).
    public func allowOnly(_ allowed: [String]) throws(OAuthError) {
        for name in members.keys.sorted() where !allowed.contains(name) {
            throw Self.problem(.apiFieldUnknown, name, "unknown field \(quoted(name)); this route takes \(allowed.joined(separator: ", "))")
        }
    }

    public func has(_ name: String) -> Bool { members[name] != nil }

    /// A string; `nullable` lets `null` read as absent (fields that null clears), elsewhere null is a wrong type.
    public func string(_ name: String, required: Bool = false, nullable: Bool = false) throws(OAuthError) -> String? {
        if nullable, members[name] == .null { return nil }
        guard let value = try present(name, required: required) else { return nil }
        guard case .string(let text) = value else { throw Self.wrongType(name, "a string", value) }
        return text
    }

    public func strings(_ name: String) throws(OAuthError) -> [String]? {
        guard let value = try present(name, required: false) else { return nil }
        guard case .array(let items) = value else { throw Self.wrongType(name, "an array of strings", value) }
        var texts: [String] = []
        for item in items {
            guard case .string(let text) = item else { throw Self.wrongType(name, "an array of strings", item) }
            texts.append(text)
        }
        return texts
    }

    public func bool(_ name: String) throws(OAuthError) -> Bool? {
        guard let value = try present(name, required: false) else { return nil }
        guard case .bool(let flag) = value else { throw Self.wrongType(name, "true or false", value) }
        return flag
    }

    public func integer(_ name: String, in range: ClosedRange<Int>) throws(OAuthError) -> Int? {
        guard let value = try present(name, required: false) else { return nil }
        guard case .number(let number) = value, let whole = JSONWriter.wholeNumber(number), range.contains(Int(whole)) else {
            throw Self.wrongType(name, "a whole number from \(range.lowerBound) to \(range.upperBound)", value)
        }
        return Int(whole)
    }

    /// A setting that `null` removes: nil when absent, `.some(nil)` for null.
    public func nullableInteger(_ name: String, in range: ClosedRange<Int>) throws(OAuthError) -> Int?? {
        if members[name] == .null { return .some(nil) }
        return try integer(name, in: range).map { .some($0) }
    }

    public func object(_ name: String) throws(OAuthError) -> [String: JSONValue]? {
        guard let value = try present(name, required: false) else { return nil }
        guard case .object(let object) = value else { throw Self.wrongType(name, "a JSON object", value) }
        return object
    }

    /// `"50/s"`, `"600/min"`, `"10000/h"`, or null (no limit of its own).
    public func rateLimit(_ name: String) throws(OAuthError) -> RateLimit?? {
        if members[name] == .null { return .some(nil) }
        guard let text = try string(name) else { return nil }
        do {
            return .some(try RateLimit(parsing: text))
        } catch {
            throw Self.problem(.apiFieldInvalid, name, "field \(quoted(name)): \(error.description), or null for none")
        }
    }

    /// A value from a fixed list (a token format, an auth method).
    public func choice<Value: RawRepresentable<String>>(_ name: String, required: Bool = false, of type: Value.Type, allowed: [String]) throws(OAuthError) -> Value? {
        guard let text = try string(name, required: required) else { return nil }
        guard allowed.contains(text), let value = Value(rawValue: text) else {
            throw Self.problem(.apiFieldInvalid, name, "field \(quoted(name)) must be one of \(allowed.joined(separator: ", ")); got \(quoted(text))")
        }
        return value
    }

    /// The member, nil when absent; `null` is refused (the fields that take null read it before this).
    private func present(_ name: String, required: Bool) throws(OAuthError) -> JSONValue? {
        guard let value = members[name] else {
            if required { throw Self.problem(.apiFieldInvalid, name, "field \(quoted(name)) is required") }
            return nil
        }
        guard value != .null else {
            throw Self.problem(.apiFieldInvalid, name, "field \(quoted(name)) must not be null; leave it out to keep its value")
        }
        return value
    }

    static func wrongType(_ name: String, _ expected: String, _ value: JSONValue) -> OAuthError {
        problem(.apiFieldInvalid, name, "field \(quoted(name)) must be \(expected); got \(describe(value))")
    }

    /// A 400 problem about one field (or query parameter).
    public static func problem(_ reason: ReasonCode, _ field: String, _ description: String) -> OAuthError {
        OAuthError(.invalidRequest, reason, description, detail: ["field": field])
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return JSONWriter.text(.number(number))
        case .string(let text): return "the string \(quoted(text, limit: 40))"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
