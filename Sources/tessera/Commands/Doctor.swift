import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TesseraCore
import TesseraSQLite
import TesseraStore
import TesseraJSON
import TesseraWire

/// `tessera doctor`: walks a client through discovery, its registration, the clock, a token request
/// and an introspection, printing ✓ or ✗ for each step with the server's own words and request id.
struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Diagnose a client's setup against a running server, step by step.")
    @Option(help: "Issuer URL, e.g. http://127.0.0.1:8080/oauth2/default.") var issuer: String
    @Option(name: .customLong("client-id")) var clientID: String
    @Option(name: .customLong("private-key"), help: "The client's PEM private key (private_key_jwt).") var privateKey: String?
    @Option(name: .customLong("client-secret"), help: "The client's secret.") var clientSecret: String?
    @Option(help: "kid the client's code puts in its assertions (default: the key's thumbprint).") var kid: String?
    @Option(name: .customLong("scope"), help: "Scope the client's code asks for. Repeatable.") var scopes: [String] = []
    @Option(help: "The aud the client's code puts in its assertions (default: the token endpoint).") var audience: String?
    @Flag(name: .customLong("no-assertion-type"), help: "Send the assertion without client_assertion_type, as the client's code may.") var noAssertionType = false
    @Option(name: .customLong("clock-offset"), help: "Seconds to add to this machine's clock when making assertions (to reproduce a skewed client).") var clockOffset: Int = 0
    @Option(name: .customLong("data-dir"), help: "Also check the registration in this data directory (kid in the registered JWKS, jwks_uri reachable).") var dataDir: String?
    @Option(name: .customLong("database"), help: "Also check the registration in this PostgreSQL database (postgres://…), as --data-dir does for SQLite.") var database: String?

    func validate() throws {
        guard (privateKey == nil) != (clientSecret == nil) else { throw ValidationError("give exactly one of --private-key or --client-secret") }
    }

    func run() async throws {
        var report = DoctorReport()
        defer { report.finish() }
        guard let discovery = await report.discovery(issuer: issuer, clientID: clientID) else { throw ExitCode(1) }
        let method = discovery.method
        let key = try privateKey.map { path -> ClientKeyPair in
            guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else { throw AdminError("cannot read private key file \(path)") }
            return try ClientKeyPair(pem: pem)
        }
        report.methodMatches(method: method, key: key, secretGiven: clientSecret != nil, algorithms: discovery.algorithms)
        if dataDir != nil || database != nil, let key {
            let data = try DataOptions.parse((dataDir.map { ["--data-dir", $0] } ?? []) + (database.map { ["--database", $0] } ?? []))
            await report.registeredKey(data: data, clientID: clientID, kid: kid ?? key.thumbprint)
        }
        if dataDir != nil || database != nil, method.usesSecret {
            let data = try DataOptions.parse((dataDir.map { ["--data-dir", $0] } ?? []) + (database.map { ["--database", $0] } ?? []))
            await report.secrets(data: data, clientID: clientID)
        }
        report.clock(serverDate: discovery.serverDate, offset: clockOffset)

        let now = Date().addingTimeInterval(TimeInterval(clockOffset))
        func credentials(audience: String) async throws -> (form: [(String, String)], headers: [(String, String)]) {
            var form: [(String, String)] = []
            var headers: [(String, String)] = []
            if key != nil || method == .clientSecretJWT {
                let claims = ClientKeyPair.assertionClaims(clientID: clientID, audience: self.audience ?? audience, lifetime: 60, now: now)
                let assertion: String
                if let key {
                    assertion = try await key.signAssertion(claims, kid: kid)
                } else {
                    assertion = try await ClientKeyPair.signAssertion(claims, secret: clientSecret ?? "")
                }
                if !noAssertionType { form.append(("client_assertion_type", ClientAssertionVerifier.assertionType)) }
                form.append(("client_assertion", assertion))
            } else if method == .clientSecretPost {
                form += [("client_id", clientID), ("client_secret", clientSecret ?? "")]
            } else {
                headers.append(("Authorization", AuthorizationHeader.basic(clientID: clientID, secret: clientSecret ?? "")))
            }
            return (form, headers)
        }

        var tokenForm: [(String, String)] = [("grant_type", "client_credentials")]
        if !scopes.isEmpty { tokenForm.append(("scope", scopes.joined(separator: " "))) }
        let tokenAuth = try await credentials(audience: discovery.tokenEndpoint)
        let token = await report.request("token request", url: discovery.tokenEndpoint, form: tokenForm + tokenAuth.form, headers: tokenAuth.headers) { json in
            guard let token = json["access_token"]?.string else { return (nil, "no access_token in the answer") }
            let expiresIn = json["expires_in"]?.number.flatMap { Int(exactly: $0) } ?? 0
            return (token, "got a \(json["token_type"]?.string ?? "") token, scope \"\(json["scope"]?.string ?? "")\", expires in \(expiresIn) s")
        }
        guard let token else { throw ExitCode(1) }
        let introspectionAuth = try await credentials(audience: discovery.introspectionEndpoint)
        _ = await report.request("introspection of the new token", url: discovery.introspectionEndpoint,
                                 form: [("token", token)] + introspectionAuth.form, headers: introspectionAuth.headers) { json in
            guard json["active"]?.bool == true else { return (nil, "the server answered {\"active\":false} for the token it just issued") }
            return ("active", "active, client_id \(json["client_id"]?.string ?? ""), aud \(json["aud"]?.strings.joined(separator: " ") ?? "")")
        }
        if report.failed { throw ExitCode(1) }
    }
}

/// Prints the doctor's steps and remembers whether any failed.
struct DoctorReport {
    private(set) var failed = false

    struct Discovery {
        var method: ClientAuthMethod
        var algorithms: [String]
        var tokenEndpoint: String
        var introspectionEndpoint: String
        var serverDate: Date?
    }

    mutating func pass(_ step: String, _ text: String) { print("✓ \(step): \(text)") }

    mutating func fail(_ step: String, _ text: String) {
        failed = true
        print("✗ \(step): \(text)")
    }

    func finish() {
        print(failed ? "\nSome steps failed; the lines marked ✗ say what to change." : "\nAll steps passed.")
    }

    mutating func discovery(issuer: String, clientID: String) async -> Discovery? {
        var base = issuer
        while base.hasSuffix("/") { base.removeLast() }
        let url = base + "/.well-known/oauth-authorization-server?client_id=" + FormURLEncoding.encodeComponent(clientID)
        guard let (status, headers, body) = try? await OAuthHTTP.exchange(HTTPClientRequest(url: url)) else {
            fail("discovery", "cannot reach \(url); check the issuer URL and that the server runs")
            return nil
        }
        let json = Self.object(body)
        guard status == 200, let methods = json["token_endpoint_auth_methods_supported"]?.strings,
              let method = methods.first.flatMap(ClientAuthMethod.init(rawValue:)),
              let tokenEndpoint = json["token_endpoint"]?.string, let introspection = json["introspection_endpoint"]?.string else {
            fail("discovery", Self.serverError(status: status, json: json, fallback: "unexpected discovery answer"))
            return nil
        }
        pass("discovery", "client \(clientID) is registered with \(method.rawValue): the server expects \(method.requirement)")
        let date = headers.first(name: "Date").flatMap { Self.httpDate.date(from: $0) }
        return Discovery(method: method, algorithms: json["token_endpoint_auth_signing_alg_values_supported"]?.strings ?? [],
                         tokenEndpoint: tokenEndpoint, introspectionEndpoint: introspection, serverDate: date)
    }

    mutating func methodMatches(method: ClientAuthMethod, key: ClientKeyPair?, secretGiven: Bool, algorithms: [String]) {
        let step = "credentials"
        switch (method, key) {
        case (.privateKeyJWT, let key?):
            if algorithms.contains(key.algorithm.rawValue) {
                pass(step, "the private key signs \(key.algorithm.rawValue), an algorithm the server accepts for this client")
            } else {
                fail(step, "the key signs \(key.algorithm.rawValue), which the server does not accept for this client; allowed: \(algorithms.joined(separator: ", "))")
            }
        case (.privateKeyJWT, nil):
            fail(step, "wrong method: the client is registered with private_key_jwt, so it needs --private-key, not a secret")
        case (.none, _):
            fail(step, "the client is a public client (none); it cannot use client credentials")
        case (_, .some):
            fail(step, "wrong method: the client is registered with \(method.rawValue), which uses the client secret, not a private key")
        default:
            pass(step, "a client secret, as \(method.rawValue) needs")
        }
    }

    /// The client's secrets as `clients show` lists them; a rotation's old secret still in use is named.
    mutating func secrets(data: DataOptions, clientID: String) async {
        do {
            let opened = try await data.open()
            let secrets = try await opened.administration.secrets(clientID: clientID)
            let lines = ClientOutput.secretLines(secrets, now: Date())
            pass("secrets", lines.isEmpty ? "the client has no secret; rotate one" : lines.joined(separator: "; "))
        } catch {
            fail("secrets", "cannot read the client's secrets: \(error)")
        }
    }

    mutating func registeredKey(data: DataOptions, clientID: String, kid: String) async {
        let step = "registered key"
        let dataDir = data.database == nil ? data.resolvedDataDir : "the database"
        do {
            let opened = try await data.open()
            guard let client = try await opened.stores.clients.client(id: clientID) else {
                return fail(step, "no client \(clientID) in \(opened.location)")
            }
            if let jwks = client.jwks {
                guard case .array(let keys)? = (try? JSONReader.object(in: jwks))?["keys"] else {
                    return fail(step, "the client's registered JWKS cannot be read; register it again with clients update --jwks-file")
                }
                let known = keys.compactMap { if case .object(let key) = $0 { key["kid"]?.string } else { nil } }
                known.contains(kid) ? pass(step, "kid \(kid) is in the registered JWKS")
                    : fail(step, "key not registered: kid \(kid) is not in the client's JWKS (registered kids: \(known.joined(separator: ", ")))")
            } else if let uri = client.jwksURI {
                guard let (status, _, body) = try? await OAuthHTTP.exchange(HTTPClientRequest(url: uri)), status == 200 else {
                    return fail(step, "the client's jwks_uri \(uri) is not reachable from here")
                }
                String(decoding: body, as: UTF8.self).contains("\"\(kid)\"") ? pass(step, "kid \(kid) is served at \(uri)")
                    : fail(step, "key not registered: kid \(kid) is not in the document at \(uri)")
            }
        } catch {
            fail(step, "cannot read \(dataDir): \(error)")
        }
    }

    mutating func clock(serverDate: Date?, offset: Int) {
        guard let serverDate else { return pass("clock", "the server sent no Date header; skipped") }
        let skew = Date().addingTimeInterval(TimeInterval(offset)).timeIntervalSince(serverDate)
        if abs(skew) <= 30 {
            pass("clock", "within \(Int(abs(skew.rounded()))) s of the server's clock")
        } else {
            fail("clock", "clock skew: this client's clock is \(Int(abs(skew))) s \(skew > 0 ? "ahead of" : "behind") the server's; assertions will be rejected as \(skew > 0 ? "not yet valid" : "expired"). Sync the clock (NTP)")
        }
    }

    /// Posts a form and reports the step; `judge` turns a 200 JSON answer into a value or a failure sentence.
    mutating func request(_ step: String, url: String, form: [(String, String)], headers: [(String, String)],
                          judge: ([String: JSONValue]) -> (String?, String)) async -> String? {
        guard let (status, responseHeaders, body) = try? await OAuthHTTP.exchange(OAuthHTTP.formRequest(url, form: form, headers: headers)) else {
            fail(step, "cannot reach \(url)")
            return nil
        }
        let json = Self.object(body)
        let requestID = responseHeaders.first(name: "X-Request-Id") ?? "-"
        guard status == 200 else {
            fail(step, Self.serverError(status: status, json: json, fallback: "HTTP \(status)") + " (request id \(requestID))")
            return nil
        }
        let (value, text) = judge(json)
        value == nil ? fail(step, text + " (request id \(requestID))") : pass(step, text + " (request id \(requestID))")
        return value
    }

    static func object(_ body: [UInt8]) -> [String: JSONValue] {
        (try? JSONReader.object(in: body)) ?? [:]
    }

    static func serverError(status: Int, json: [String: JSONValue], fallback: String) -> String {
        guard let error = json["error"]?.string else { return fallback }
        return "\(error): \(json["error_description"]?.string ?? "") (HTTP \(status))"
    }

    static let httpDate: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter
    }()
}
