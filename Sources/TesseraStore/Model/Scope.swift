import Foundation

/// A scope defined on one authorization server (`orders.read`); clients may only be granted defined scopes.
public struct Scope: Sendable, Hashable, Codable {
    public var server: String
    public var name: String
    public var description: String?

    public init(server: String, name: String, description: String? = nil) {
        self.server = server
        self.name = name
        self.description = description
    }

    /// RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 128 && name.unicodeScalars.allSatisfy {
            $0.value == 0x21 || (0x23...0x5B).contains($0.value) || (0x5D...0x7E).contains($0.value)
        }
    }
}
