import HTTPTypes
import Hummingbird
import NIOCore

/// Server-rendered pages without a template engine: every value from a request or the database goes
/// through `escape`, and every page shares one layout and the one stylesheet (`/assets/tessera.css`).
/// No scripts and no external assets: the pages work with the keyboard alone and under a strict CSP.
enum HTML {
    /// Escapes text for element content and quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Hidden inputs carrying `pairs`.
    static func hidden(_ pairs: [(String, String)]) -> String {
        pairs.map { "<input type=\"hidden\" name=\"\(escape($0.0))\" value=\"\(escape($0.1))\">" }.joined(separator: "\n      ")
    }

    /// A whole page: `title` in the head and the heading, the product name above, `body` below.
    static func page(title: String, product: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>\(escape(title)) · \(escape(product))</title>
          <link rel="stylesheet" href="/assets/tessera.css">
        </head>
        <body>
          <main class="card">
            <p class="product">\(escape(product))</p>
            <h1>\(escape(title))</h1>
            \(body)
          </main>
        </body>
        </html>
        """
    }

    /// A page response: no caching, no framing by other sites, no scripts, forms posting to this origin only.
    static func response(_ html: String, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .pragma: "no-cache",
            .contentSecurityPolicy: "default-src 'none'; style-src 'self'; form-action 'self' https: http:; frame-ancestors 'none'; base-uri 'none'",
            .xFrameOptions: "DENY", .referrerPolicy: "no-referrer",
        ]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The one stylesheet: readable type, large targets, a visible focus ring.
    static let stylesheet = """
        :root { color-scheme: light dark; --accent: #1f5eff; --error: #b3261e; --muted: #5f6368; }
        * { box-sizing: border-box; }
        body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: Canvas; color: CanvasText;
               font: 17px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        .card { width: min(26rem, 100% - 2rem); padding: 2rem; border: 1px solid color-mix(in srgb, CanvasText 15%, transparent); border-radius: 12px; }
        .product { margin: 0 0 .25rem; font-weight: 600; letter-spacing: .04em; text-transform: uppercase; font-size: .8rem; color: var(--accent); }
        h1 { margin: 0 0 1.25rem; font-size: 1.5rem; line-height: 1.25; }
        label { display: block; margin: 1rem 0 .25rem; font-weight: 600; }
        input[type=text], input[type=password] { width: 100%; padding: .6rem .75rem; font: inherit; border: 1px solid var(--muted); border-radius: 6px;
                                                 background: Field; color: FieldText; }
        input[aria-invalid=true] { border-color: var(--error); }
        button { margin-top: 1.25rem; padding: .65rem 1.1rem; font: inherit; font-weight: 600; border-radius: 6px; border: 1px solid var(--accent);
                 background: var(--accent); color: white; cursor: pointer; }
        button.secondary { background: transparent; color: var(--accent); margin-left: .5rem; }
        :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
        .error { margin: .5rem 0 0; color: var(--error); font-weight: 600; }
        .muted { color: var(--muted); font-size: .9rem; }
        ul.scopes { padding-left: 1.2rem; } ul.scopes li { margin: .35rem 0; } code { font-size: .85em; }
        """
}

extension HTTPField.Name {
    static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
