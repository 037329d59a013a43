import TesseraCore

/// The pages of the authorization flow: sign-in, consent, an error that cannot go back to the app, and
/// "signed out". Each form carries the authorization request in hidden fields and the page's CSRF token.
enum SignInPages {
    static func signIn(product: String, action: String, clientName: String, carried: [(String, String)], csrf: String, username: String?, error: String?) -> String {
        let invalid = error == nil ? "" : " aria-invalid=\"true\" aria-describedby=\"signin-error\""
        // The field to type in next has the focus: the password once the username is known.
        let focusUsername = (username ?? "").isEmpty ? " autofocus" : ""
        let focusPassword = focusUsername.isEmpty ? " autofocus" : ""
        let errorLine = error.map { "<p class=\"error\" id=\"signin-error\" role=\"alert\">\(HTML.escape($0))</p>" } ?? ""
        return HTML.page(title: "Sign in", product: product, body: """
            <p>to continue to <strong>\(HTML.escape(clientName))</strong></p>
            <form method="post" action="\(HTML.escape(action))">
              \(HTML.hidden(carried + [("csrf_token", csrf), ("tessera_action", "sign_in")]))
              <label for="username">Username</label>
              <input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required\(focusUsername)
                     value="\(HTML.escape(username ?? ""))"\(invalid)>
              <label for="password">Password</label>
              <input type="password" id="password" name="password" autocomplete="current-password" required\(focusPassword)\(invalid)>
              \(errorLine)
              <button type="submit" id="sign-in">Sign in</button>
            </form>
            """)
    }

    static func consent(product: String, action: String, clientName: String, username: String, scopes: [(name: String, description: String)], carried: [(String, String)],
                        csrf: String) -> String {
        let items = scopes.map { "<li>\(HTML.escape($0.description)) <span class=\"muted\"><code>\(HTML.escape($0.name))</code></span></li>" }
            .joined(separator: "\n    ")
        return HTML.page(title: "Allow \(clientName)?", product: product, body: """
            <p><strong>\(HTML.escape(clientName))</strong> asks to:</p>
            <ul class="scopes">
                \(items)
            </ul>
            <p class="muted">Signed in as \(HTML.escape(username)).</p>
            <form method="post" action="\(HTML.escape(action))">
              \(HTML.hidden(carried + [("csrf_token", csrf), ("tessera_action", "consent")]))
              <button type="submit" id="allow" name="decision" value="allow">Allow</button>
              <button type="submit" id="deny" class="secondary" name="decision" value="deny">Deny</button>
            </form>
            """)
    }

    static func error(product: String, error: OAuthError, requestID: String) -> String {
        HTML.page(title: "This sign-in cannot continue", product: product, body: """
            <p class="error" role="alert">\(HTML.escape(error.description))</p>
            <p class="muted">Error <code>\(HTML.escape(error.code.rawValue))</code> (\(HTML.escape(error.reason.rawValue))), request id <code>\(HTML.escape(requestID))</code>.
            Go back to the app and try again; if it keeps happening, give the request id to its administrator.</p>
            """)
    }

    static func signedOut(product: String) -> String {
        HTML.page(title: "You are signed out", product: product, body: "<p>You can close this window.</p>")
    }
}
