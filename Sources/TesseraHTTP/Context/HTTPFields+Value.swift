import HTTPTypes

extension HTTPFields {
    /// The value of a request field, as `self[name]` gives it, without its cost on the hot path.
    ///
    /// HTTPTypes' `subscript(_:)` joins the values of a repeated field through a generic lazy sequence on
    /// every read, even when the field appears once (its cost is in docs/performance.md).
    /// This walks the fields once and hands a repeated field to that subscript, so the answer is the same.
    func value(_ name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            if found != nil { return self[name] }
            found = field.value
        }
        return found
    }

    /// Adds a field the response does not carry yet; `self[name] = value` checks for an existing one first.
    mutating func add(_ name: HTTPField.Name, _ value: String) {
        if contains(name) { self[name] = value } else { append(HTTPField(name: name, value: value)) }
    }
}
