/// The parameters of a token request that grants read, as plain values.
public struct TokenRequest: Sendable {
    public var grantType: String?
    /// The raw `scope` parameter (space-separated), if sent.
    public var scope: String?
    /// RFC 8707 `resource` parameters, in order.
    public var resources: [String]

    public init(grantType: String?, scope: String? = nil, resources: [String] = []) {
        self.grantType = grantType
        self.scope = scope
        self.resources = resources
    }
}
