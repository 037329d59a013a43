import Hummingbird

/// The cookies of a request (RFC 6265 §5.4 `Cookie` header), by name; the first of a name wins.
struct Cookies: Sendable {
    private(set) var values: [String: String] = [:]

    init(_ request: Request) {
        for field in request.headers[values: .cookie] {
            for pair in field.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                let name = String(trimmed[..<equals])
                if values[name] == nil { values[name] = String(trimmed[trimmed.index(after: equals)...]) }
            }
        }
    }

    subscript(_ name: String) -> String? { values[name] }

    /// A `Set-Cookie` value: HttpOnly and SameSite=Lax always, Secure when the deployment is served over https.
    static func setting(_ name: String, _ value: String, path: String, maxAge: Int, secure: Bool) -> String {
        "\(name)=\(value); Path=\(path); Max-Age=\(maxAge); HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }
}
