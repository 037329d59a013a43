import Foundation
import TesseraJSON
import TesseraStore

/// The management API without HTTP: each operation takes what the route parsed (path names, the body
/// as `ManagementInput`, `If-Match`) and answers with a representation, its `ETag`, a `Location` for
/// what it created and the facts of its event. The rules of every change are `Administration`'s, so
/// the API, the CLI and `tessera apply` refuse the same things with the same sentences.
/// Servers and scopes are in `ManagementAPI+Servers.swift`, clients in `+Clients.swift`, keys and
/// events in `+KeysAndEvents.swift`, users and groups in `+Users.swift`.
public struct ManagementAPI: Sendable {
    let administration: Administration
    let stores: Stores
    let passwords: PasswordHasher
    let access: BearerCheck
    let directory: Directory

    public init(administration: Administration, directory: Directory, verifier: TokenVerifier, passwords: PasswordHasher) {
        self.administration = administration
        stores = administration.stores
        self.passwords = passwords
        self.directory = directory
        access = BearerCheck(verifier: verifier, directory: directory)
    }

    /// The answer to one call.
    public struct Answer: Sendable {
        public var status: Int
        public var body: [(String, JSONValue)]?
        public var etag: String?
        /// The path of what was created (the route prefixes the public URL).
        public var location: String?
        public var event: EventFacts
        /// Whether the call changed the configuration (the node then refreshes its caches at once).
        public var changed: Bool
    }

    /// The admin client behind a call.
    public struct Caller: Sendable {
        public let clientID: String
        public let scopes: [String]
    }

    /// Checks the Bearer token: an active access token of `system` whose scopes satisfy `scope`.
    public func authorize(bearer token: String?, needs scope: SystemServer.Scope) async throws(OAuthError) -> Caller {
        guard let token, !token.isEmpty else {
            throw OAuthError(.invalidToken, .apiTokenMissing,
                             "the management API needs Authorization: Bearer <access token> from the authorization server system with the scope \(scope.rawValue)",
                             status: 401)
        }
        let found: AuthorizationServer? = try await storeCall("loading the system server") { () throws(StoreError) in
            try await directory.server(named: SystemServer.name)
        }
        guard let system = found else {
            throw OAuthError(.temporarilyUnavailable, .storeUnavailable, "the built-in server system is missing; restart a node to create it")
        }
        let (facts, _) = try await access.accessToken(token, server: system, hint: "get a token from the server system with the scope \(scope.rawValue)")
        try BearerCheck.requireScope(scope.rawValue, of: facts, allowed: scope.isSatisfied(by: facts.scopes))
        return Caller(clientID: facts.clientID, scopes: facts.scopes)
    }

    // MARK: Shared steps

    /// Runs an `Administration` step, turning its refusals into problems: a rule broken → 400 naming the
    /// field, unknown → 404, a clash → 409; a database failure stays a 503 with nothing leaked.
    func admin<T>(_ step: String, field: String? = nil, _ body: () async throws -> T) async throws(OAuthError) -> T {
        do {
            return try await body()
        } catch let error as OAuthError {
            throw error
        } catch let error as AdminError {
            let named = error.field ?? field
            switch error.kind {
            case .invalid:
                throw OAuthError(.invalidRequest, .apiFieldInvalid, error.description, detail: named.map { ["field": $0] } ?? [:])
            case .notFound:
                throw OAuthError(.notFound, .apiNotFound, error.description)
            case .conflict:
                throw OAuthError(.conflict, .apiConflict, error.description)
            }
        } catch let error as StoreError {
            switch error {
            case .alreadyExists(let what): throw OAuthError(.conflict, .apiConflict, "\(what) already exists")
            case .notFound(let what): throw OAuthError(.notFound, .apiNotFound, "\(what) does not exist")
            default: throw OAuthError.internalFailure(error, during: step)
            }
        } catch {
            throw OAuthError.internalFailure(error, during: step)
        }
    }

    /// Refuses a write whose `If-Match` names another version than `current`'s ETag (RFC 9110 §13.1.1):
    /// someone changed the resource since the caller read it. No `If-Match` means "write anyway".
    static func precondition(_ ifMatch: String?, current: [(String, JSONValue)], what: String) throws(OAuthError) {
        guard let ifMatch else { return }
        let tags = ifMatch.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let wellFormed = tags == ["*"] || tags.allSatisfy { tag in
            let opaque = tag.hasPrefix("W/") ? tag.dropFirst(2) : Substring(tag)
            return opaque.count >= 2 && opaque.first == "\"" && opaque.last == "\"" && !opaque.dropFirst().dropLast().contains("\"")
                && opaque.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) }
        }
        guard wellFormed else {
            throw ManagementInput.problem(.apiFieldInvalid, "If-Match",
                                          "If-Match must be * or a list of entity tags such as \"5fb10036ed8290c54decf6a65bf9ad06\" (the ETag of your last read)")
        }
        let etag = ManagementJSON.etag(current)
        guard tags != ["*"], !tags.contains(etag) else { return }
        throw OAuthError(.preconditionFailed, .apiPreconditionFailed,
                         "\(what) changed since you read it: If-Match \(ifMatch.prefix(100)) is not its current ETag \(etag); read it again and reapply your change",
                         detail: ["if_match": String(ifMatch.prefix(100)), "etag": etag])
    }

    /// Runs a conditional write (one with `If-Match`) holding the database lease `api-write:<resource>`,
    /// so its read, ETag comparison and write are one step for every node: of several admins writing
    /// the same version at once, one succeeds and the others get 412 (or 409 while it is in progress).
    /// The lease lasts 10 s at most and is handed back at once. Writes without `If-Match` take no lease.
    func conditionally<T>(_ resource: String, ifMatch: String?, _ write: () async throws(OAuthError) -> T) async throws(OAuthError) -> T {
        guard ifMatch != nil else { return try await write() }
        let name = "api-write:\(resource)"
        let holder = SecureRandom.identifier(prefix: "w", length: 16)
        let now = administration.clock.now
        let granted = try await admin("taking the write lease") { try await stores.leases.acquireLease(name, holder: holder, until: now.addingTimeInterval(10), now: now) }
        guard granted else {
            throw OAuthError(.conflict, .apiConflict, "another change to \(resource) is being written right now; read it again and retry")
        }
        let result: Result<T, OAuthError>
        do { result = .success(try await write()) } catch { result = .failure(error) }
        // Handing back: the holder renews to a time already past, so the next writer is granted at once.
        _ = try? await stores.leases.acquireLease(name, holder: holder, until: .distantPast, now: now)
        return try result.get()
    }

    static func answer(_ status: Int = 200, _ body: [(String, JSONValue)]?, etag: Bool = true, location: String? = nil, caller: Caller,
                       _ message: String, detail: [String: String] = [:], changed: Bool) -> Answer {
        Answer(status: status, body: body, etag: etag ? body.map(ManagementJSON.etag) : nil, location: location,
               event: EventFacts(clientID: caller.clientID, message: message, detail: detail), changed: changed)
    }

    static func list(_ name: String, _ items: [[(String, JSONValue)]], caller: Caller, _ message: String) -> Answer {
        let array = JSONValue.array(items.map { members in .object(Dictionary(members.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })) })
        return answer(200, [(name, array)], etag: false, caller: caller, message, changed: false)
    }

    /// Which fields a change named, for the event (values are not logged: they may be long or personal).
    static func fields(_ input: ManagementInput) -> [String: String] {
        input.members.isEmpty ? [:] : ["fields": input.members.keys.sorted().joined(separator: ",")]
    }
}
