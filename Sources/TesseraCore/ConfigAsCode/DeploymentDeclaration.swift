import TesseraJSON
import TesseraStore

/// A `tessera.yaml` as read: the servers, scopes and clients a deployment should have, each with the
/// settings the file names in the management API's field names. A setting the file leaves out is not
/// managed by it (kept on update, the default on create). Every body is checked with the API's own
/// readers when the file is read, so a wrong type or an unknown field is refused before anything changes.
public struct DeploymentDeclaration: Sendable {
    public struct Server: Sendable {
        public var name: String
        /// Server settings named by the file (not `name`, `scopes`, `clients`).
        public var settings: [String: JSONValue]
        public var scopes: [Scope]
        public var clients: [Client]
        /// Where it is in the file, e.g. `servers[2]`.
        public var path: String

        /// The body of `POST /api/v1/servers` for this server, and the settings a creation does not take
        /// (written right after it).
        var creation: (body: [String: JSONValue], then: [String: JSONValue]) {
            let creates = settings.filter { ManagementAPI.serverCreateFields.contains($0.key) }
            return (creates.merging(["name": .string(name)]) { own, _ in own }, settings.filter { !ManagementAPI.serverCreateFields.contains($0.key) })
        }
    }

    public struct Scope: Sendable {
        public var name: String
        /// The description when the file names one (`.null` removes it); nil leaves it as it is.
        public var description: JSONValue?
    }

    public struct Client: Sendable {
        /// The client id to keep (an exported deployment); nil matches the client by name on its server.
        public var id: String?
        public var name: String
        /// Client fields named by the file, in the API's names (with `client_id` and `name` left out).
        public var fields: [String: JSONValue]
        /// Where a secret created for the client is written (0600), instead of printing it.
        public var secretFile: String?
        public var path: String

        /// The body of `POST /api/v1/servers/{name}/clients` for this client (`client_secret_basic` unless
        /// the file names a method), and the fields a creation does not take (written right after it).
        var creation: (body: [String: JSONValue], then: [String: JSONValue]) {
            var body = fields.filter { ManagementAPI.clientCreateFields.contains($0.key) }
            body["name"] = .string(name)
            if let id { body["client_id"] = .string(id) }
            if body["token_endpoint_auth_method"] == nil { body["token_endpoint_auth_method"] = .string("client_secret_basic") }
            return (body, fields.filter { !ManagementAPI.clientCreateFields.contains($0.key) })
        }
    }

    /// A person who signs in; the password (`${env:…}` in the file) is used only when the user is created.
    public struct User: Sendable {
        public var username: String
        /// `display_name`, `email`, `email_verified`, `disabled` when the file names them.
        public var fields: [String: JSONValue]
        public var password: String?
        public var path: String
    }

    public struct Group: Sendable {
        public var name: String
        /// The usernames of its members; nil leaves the membership as it is.
        public var members: [String]?
        public var path: String
    }

    public var servers: [Server]
    /// nil when the file has no `users:` list: users are then not managed (not even by `--prune`).
    public var users: [User]?
    /// nil when the file has no `groups:` list.
    public var groups: [Group]?

    static let userFields = ["display_name", "email", "email_verified", "disabled"]
    static let serverKeys = ["name", "scopes", "clients"] + ManagementAPI.serverUpdateFields
    static let clientKeys = ["client_id", "name", "secret_file", "token_endpoint_auth_method", "jwks", "jwks_uri"] + ManagementAPI.clientUpdateFields

    /// Reads the document (a YAML file turned into JSON values): `{servers: [{name, …settings, scopes: [...], clients: [...]}]}`.
    public init(document: JSONValue) throws(DeploymentFileError) {
        let top = try Self.object(document, at: "the file")
        try Self.allowOnly(top, ["servers", "users", "groups", "version"], at: "the file")
        if let version = top["version"], version != .number(1) {
            throw DeploymentFileError(path: "version", "this Tessera reads version 1 files; got \(JSONWriter.text(version))")
        }
        servers = []
        var names = Set<String>()
        for (index, item) in try Self.array(top["servers"] ?? .array([]), at: "servers").enumerated() {
            let server = try Self.server(item, at: "servers[\(index)]")
            guard names.insert(server.name).inserted else {
                throw DeploymentFileError(path: server.path, "server \(quoted(server.name)) is named twice")
            }
            servers.append(server)
        }
        users = try top["users"].map { value throws(DeploymentFileError) in try Self.users(value) }
        groups = try top["groups"].map { value throws(DeploymentFileError) in try Self.groups(value) }
    }

    static func users(_ value: JSONValue) throws(DeploymentFileError) -> [User] {
        var users: [User] = []
        for (index, item) in try array(value, at: "users").enumerated() {
            let path = "users[\(index)]"
            let object = try Self.object(item, at: path)
            try allowOnly(object, ["username", "password"] + userFields, at: path)
            let username = try requiredString(object, "username", at: path).lowercased()
            guard !users.contains(where: { $0.username == username }) else { throw DeploymentFileError(path: path, "user \(quoted(username)) is named twice") }
            let fields = object.filter { userFields.contains($0.key) }
            var password: String?
            if let value = object["password"] {
                guard let text = value.string, !text.isEmpty else { throw DeploymentFileError(path: path, "field \"password\" must be a text, e.g. ${env:NAME}") }
                password = text
            }
            try check(at: path) { () throws(OAuthError) in
                _ = try ManagementAPI.userCreation(ManagementInput(members: ["username": .string(username)]))
                _ = try ManagementAPI.userChange(ManagementInput(members: fields))
            }
            users.append(User(username: username, fields: fields, password: password, path: path))
        }
        return users
    }

    static func groups(_ value: JSONValue) throws(DeploymentFileError) -> [Group] {
        var groups: [Group] = []
        for (index, item) in try array(value, at: "groups").enumerated() {
            let path = "groups[\(index)]"
            let object = try Self.object(item, at: path)
            try allowOnly(object, ["name", "members"], at: path)
            let name = try requiredString(object, "name", at: path)
            guard !groups.contains(where: { $0.name == name }) else { throw DeploymentFileError(path: path, "group \(quoted(name)) is named twice") }
            var members: [String]?
            if let value = object["members"] {
                guard case .array(let items) = value, items.allSatisfy({ $0.string != nil }) else {
                    throw DeploymentFileError(path: path, "field \"members\" must be a list of usernames")
                }
                members = items.compactMap { $0.string?.lowercased() }
            }
            groups.append(Group(name: name, members: members, path: path))
        }
        return groups
    }

    static func server(_ value: JSONValue, at path: String) throws(DeploymentFileError) -> Server {
        let object = try Self.object(value, at: path)
        try allowOnly(object, serverKeys, at: path)
        let name = try requiredString(object, "name", at: path)
        var settings = object
        for key in ["name", "scopes", "clients"] { settings[key] = nil }
        // The API's own readers: the creation fields and the change fields, as a POST and a PATCH would.
        let creation = Server(name: name, settings: settings, scopes: [], clients: [], path: path).creation.body
        try check(at: path) { () throws(OAuthError) in
            _ = try ManagementAPI.serverCreation(ManagementInput(members: creation))
            _ = try ManagementAPI.serverChange(ManagementInput(members: settings))
        }
        var scopes: [Scope] = []
        for (index, item) in try array(object["scopes"] ?? .array([]), at: "\(path).scopes").enumerated() {
            let scopePath = "\(path).scopes[\(index)]"
            let scope = try Self.object(item, at: scopePath)
            try allowOnly(scope, ["name", "description"], at: scopePath)
            let scopeName = try requiredString(scope, "name", at: scopePath)
            if let description = scope["description"], description.string == nil, description != .null {
                throw DeploymentFileError(path: scopePath, "field \"description\" must be a text or null")
            }
            guard !scopes.contains(where: { $0.name == scopeName }) else {
                throw DeploymentFileError(path: scopePath, "scope \(quoted(scopeName)) is named twice on server \(quoted(name))")
            }
            scopes.append(Scope(name: scopeName, description: scope["description"]))
        }
        var clients: [Client] = []
        for (index, item) in try array(object["clients"] ?? .array([]), at: "\(path).clients").enumerated() {
            let client = try Self.client(item, at: "\(path).clients[\(index)]")
            if let id = client.id, clients.contains(where: { $0.id == id }) {
                throw DeploymentFileError(path: client.path, "client id \(quoted(id)) is named twice")
            }
            if client.id == nil, clients.contains(where: { $0.id == nil && $0.name == client.name }) {
                throw DeploymentFileError(path: client.path, "two clients named \(quoted(client.name)) without client_id; give them client_id or other names")
            }
            clients.append(client)
        }
        return Server(name: name, settings: settings, scopes: scopes, clients: clients, path: path)
    }

    static func client(_ value: JSONValue, at path: String) throws(DeploymentFileError) -> Client {
        let object = try Self.object(value, at: path)
        try allowOnly(object, clientKeys, at: path)
        let name = try requiredString(object, "name", at: path)
        var id: String?
        if let value = object["client_id"] {
            guard let text = value.string, TesseraStore.Client.isValidID(text) else {
                throw DeploymentFileError(path: path, "field \"client_id\" must be 6 to 64 characters of A-Z, a-z, 0-9, '.', '_', '~' and '-'")
            }
            id = text
        }
        var secretFile: String?
        if let value = object["secret_file"] {
            guard let text = value.string, !text.isEmpty else { throw DeploymentFileError(path: path, "field \"secret_file\" must be a file path") }
            secretFile = text
        }
        var fields = object
        for key in ["client_id", "name", "secret_file"] { fields[key] = nil }
        let client = Client(id: id, name: name, fields: fields, secretFile: secretFile, path: path)
        try check(at: path) { () throws(OAuthError) in
            _ = try ManagementAPI.clientCreation(ManagementInput(members: client.creation.body))
            _ = try ManagementAPI.clientChange(ManagementInput(members: fields.filter { ManagementAPI.clientUpdateFields.contains($0.key) }))
        }
        return client
    }

    // MARK: Reading helpers

    static func check(at path: String, _ body: () throws(OAuthError) -> Void) throws(DeploymentFileError) {
        do {
            try body()
        } catch {
            throw DeploymentFileError(path: path, error.description)
        }
    }

    static func object(_ value: JSONValue, at path: String) throws(DeploymentFileError) -> [String: JSONValue] {
        guard case .object(let object) = value else { throw DeploymentFileError(path: path, "expected a mapping (key: value)") }
        return object
    }

    static func array(_ value: JSONValue, at path: String) throws(DeploymentFileError) -> [JSONValue] {
        guard case .array(let items) = value else { throw DeploymentFileError(path: path, "expected a list (- item)") }
        return items
    }

    static func requiredString(_ object: [String: JSONValue], _ key: String, at path: String) throws(DeploymentFileError) -> String {
        guard let text = object[key]?.string, !text.isEmpty else {
            throw DeploymentFileError(path: path, "field \(quoted(key)) is required and must be a text")
        }
        return text
    }

    static func allowOnly(_ object: [String: JSONValue], _ keys: [String], at path: String) throws(DeploymentFileError) {
        if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
            throw DeploymentFileError(path: path, "unknown field \(quoted(unknown)); expected one of \(keys.joined(separator: ", "))")
        }
    }
}

/// A deployment file that cannot be applied: where in the file, and what was wrong.
public struct DeploymentFileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
