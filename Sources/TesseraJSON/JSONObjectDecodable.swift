/// A type read from the members of one JSON object, as claim sets are: the bridge between
/// `JSONReader` and the types that judge what was read.
public protocol JSONObjectDecodable {
    init(members: [String: JSONValue]) throws
}

extension JSONObjectDecodable {
    /// Reads `json`, which must be exactly one JSON object.
    public init(json: UnsafeRawBufferPointer) throws {
        try self.init(members: JSONReader.object(in: json))
    }
}
