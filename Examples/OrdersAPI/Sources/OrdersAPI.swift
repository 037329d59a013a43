import ArgumentParser
import Foundation
import Hummingbird
import TesseraJSON
import TesseraResourceServer

/// A small orders API protected by Tessera: `GET /orders` needs `orders.read`, `POST /orders` needs
/// `orders.write`. Tokens are validated locally against the issuer's JWKS; set `--introspect` (with
/// `--client-id`/`--client-secret` of a client registered with `--introspects`) to see revocations at once.
@main
struct OrdersAPI: AsyncParsableCommand {
    @Option(help: "Tessera issuer URL.") var issuer = "http://127.0.0.1:8080/oauth2/default"
    @Option(help: "This API's audience (a resource of the server).") var audience = "api://default"
    @Option(help: "Port to listen on.") var port = 9090
    @Flag(help: "Introspect every token instead of validating JWTs locally.") var introspect = false
    @Option(name: .customLong("client-id"), help: "Client id for introspection (client_secret_basic).") var clientID: String?
    @Option(name: .customLong("client-secret"), help: "Client secret for introspection.") var clientSecret: String?

    func run() async throws {
        var configuration = ResourceServerConfiguration(issuer: issuer, audience: audience)
        if let clientID, let clientSecret {
            configuration.introspection = IntrospectionCredentials(clientID: clientID, method: .clientSecretBasic(secret: clientSecret))
        }
        let validator = try await TokenValidator(configuration)
        let app = Application(router: Self.router(validator: validator, mode: introspect ? .introspect : .local),
                              configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }

    /// The API's routes, each group behind the middleware with the scope it needs.
    static func router(validator: TokenValidator, mode: ValidationMode) -> Router<BasicTokenRequestContext> {
        let router = Router(context: BasicTokenRequestContext.self)
        let orders = OrderBook()
        router.group("orders")
            .add(middleware: BearerTokenMiddleware(validator: validator, mode: mode, requiredScopes: ["orders.read"]))
            .get { _, context in
                Response.json([("caller", .string(context.token?.clientID ?? "")), ("orders", .array(await orders.all().map(JSONValue.string)))])
            }
        router.group("orders")
            .add(middleware: BearerTokenMiddleware(validator: validator, mode: mode, requiredScopes: ["orders.write"]))
            .post { _, context in
                let id = await orders.add(by: context.token?.clientID ?? "")
                return Response.json([("created", .string(id))], status: .created)
            }
        return router
    }
}

/// In-memory orders, enough to show who did what.
actor OrderBook {
    private var orders: [String] = []

    func all() -> [String] { orders }

    func add(by client: String) -> String {
        let id = "order-\(orders.count + 1) by \(client)"
        orders.append(id)
        return id
    }
}

extension Response {
    static func json(_ members: [(String, JSONValue)], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.object(members))))
    }
}
