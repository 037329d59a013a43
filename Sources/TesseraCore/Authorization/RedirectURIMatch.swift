/// Exact redirect URI matching (RFC 9700 §4.1.3), with the one exception RFC 8252 §7.3 makes: a
/// registered loopback URI (`http://127.0.0.1/…`, `http://[::1]/…`) matches the same URI with any port,
/// because native apps get their port from the operating system at run time. `localhost` gets no
/// exception (RFC 8252 §8.3: it may resolve elsewhere).
public enum RedirectURIMatch {
    public static func matches(_ presented: String, registered: [String]) -> Bool {
        if registered.contains(presented) { return true }
        guard let loopback = withoutLoopbackPort(presented) else { return false }
        return registered.contains { withoutLoopbackPort($0) == loopback }
    }

    /// `http://127.0.0.1:PORT/path` as `http://127.0.0.1/path` (likewise `[::1]`), or nil for other URIs.
    static func withoutLoopbackPort(_ uri: String) -> String? {
        for host in ["http://127.0.0.1", "http://[::1]"] where uri.hasPrefix(host) {
            var rest = uri.dropFirst(host.count)
            if rest.first == ":" {
                rest = rest.dropFirst()
                let digits = rest.prefix { $0.isASCII && $0.isNumber }
                guard !digits.isEmpty, digits.count <= 5 else { return nil }
                rest = rest.dropFirst(digits.count)
            }
            guard rest.isEmpty || rest.first == "/" || rest.first == "?" else { return nil }
            return host + rest
        }
        return nil
    }

    /// Whether a URI may be registered as a redirect URI: absolute, no fragment, https — or http only
    /// for loopback hosts and `localhost` in development (RFC 8252 §7.3, RFC 9700 §2.6) — or a private-use
    /// scheme of a native app (`com.example.app:/cb`, RFC 8252 §7.1).
    public static func isRegistrable(_ uri: String) -> Bool {
        guard ResourceSelection.isAbsoluteURIWithoutFragment(uri) else { return false }
        let lower = uri.lowercased()
        if lower.hasPrefix("https://") { return lower.count > "https://".count }
        if lower.hasPrefix("http://") {
            return withoutLoopbackPort(uri) != nil || lower.hasPrefix("http://localhost:") || lower.hasPrefix("http://localhost/")
        }
        guard let colon = lower.firstIndex(of: ":") else { return false }
        return lower[..<colon].contains(".")  // private-use schemes are reverse domain names
    }
}
