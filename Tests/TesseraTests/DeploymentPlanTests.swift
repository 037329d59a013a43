import Testing
import TesseraCore
import TesseraJSON
import TesseraStore

/// The plan `tessera apply` prints, computed without a database: what matches is left alone, what
/// cannot be decided is refused with its place in the file, and deletions come last in a safe order.
@Suite struct DeploymentPlanTests {
    static func server(_ name: String, clients: [[String: JSONValue]] = [], scopes: [String] = []) -> DeploymentState.Server {
        var record = AuthorizationServer(name: name, audiences: ["api://\(name)"], accessTokenTTL: 3600, claims: [:], createdAt: .distantPast)
        record.rateLimit = RateLimit(requests: 3000, period: 60)
        let representation = Dictionary(ManagementJSON.server(record), uniquingKeysWith: { first, _ in first })
        return DeploymentState.Server(representation: representation, scopes: scopes.map { ["name": .string($0), "description": .null] }, clients: clients)
    }

    static func client(_ id: String, _ name: String, scopes: [String] = []) -> [String: JSONValue] {
        ["client_id": .string(id), "name": .string(name), "token_endpoint_auth_method": .string("client_secret_basic"),
         "scopes": .array(scopes.map(JSONValue.string)), "enabled": .bool(true), "jwks_uri": .null, "jwks": .null]
    }

    static func declaration(_ servers: [JSONValue]) throws -> DeploymentDeclaration {
        try DeploymentDeclaration(document: .object(["servers": .array(servers)]))
    }

    @Test func settingsSpelledDifferentlyButEqualChangeNothing() throws {
        let declared = try Self.declaration([.object(["name": .string("orders"), "rate_limit": .string("3000/min"),
                                                      "refresh_token_lifetime": .null, "access_token_ttl": .number(3600)])])
        let plan = try DeploymentPlan(declared: declared, current: DeploymentState(servers: [Self.server("orders")]))
        #expect(plan.steps.isEmpty, "\(plan.steps.map(\.summary))")
    }

    @Test func twoClientsOfTheSameNameNeedAClientIDToTellThemApart() throws {
        let current = DeploymentState(servers: [Self.server("orders", clients: [Self.client("0oa000001", "svc"), Self.client("0oa000002", "svc")])])
        let ambiguous = try Self.declaration([.object(["name": .string("orders"), "clients": .array([.object(["name": .string("svc")])])])])
        #expect(throws: DeploymentFileError.self) { try DeploymentPlan(declared: ambiguous, current: current) }
        do {
            _ = try DeploymentPlan(declared: ambiguous, current: current)
        } catch {
            #expect(error.description == "servers[0].clients[0]: server \"orders\" has 2 clients named \"svc\"; add client_id to say which one the file means")
        }
        let named = try Self.declaration([.object(["name": .string("orders"), "clients": .array([
            .object(["name": .string("svc"), "client_id": .string("0oa000002"), "scopes": .array([])]),
        ])])])
        let plan = try DeploymentPlan(declared: named, current: current, prune: true)
        #expect(plan.steps.map(\.summary) == ["client 0oa000001 (svc) on orders"], "the one the file names stays, the other is pruned")
    }

    @Test func pruneDeletesClientsBeforeScopesAndServersLastAndKeepsTheCaller() throws {
        let current = DeploymentState(servers: [
            Self.server("orders", clients: [Self.client("0oaadmin01", "admin"), Self.client("0oaold0001", "old", scopes: ["old.read"])], scopes: ["old.read"]),
            Self.server("legacy", clients: [Self.client("0oalegacy1", "legacy")]),
        ])
        let declared = try Self.declaration([.object(["name": .string("orders")])])
        let plan = try DeploymentPlan(declared: declared, current: current, prune: true, protectedClients: ["0oaadmin01"])
        #expect(plan.steps.map { "\($0.symbol) \($0.summary)" } == [
            "- client 0oaold0001 (old) on orders", "- scope old.read on orders",
            "- client 0oalegacy1 (legacy) on legacy", "- server legacy (with its scopes and signing keys)",
        ])
        #expect(plan.kept == ["client 0oaadmin01 (admin) on orders: it is the admin client making these calls"])
        #expect(try DeploymentPlan(declared: declared, current: current).steps.isEmpty, "without prune nothing is deleted")
    }
}
