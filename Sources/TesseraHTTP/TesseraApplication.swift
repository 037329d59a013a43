import Hummingbird
import Logging
import TesseraCore
import TesseraStore

/// Builds the HTTP side of a node: the router with every endpoint, behind the middleware that
/// renders errors and stamps request ids.
public enum TesseraApplication {
    public static func router(runtime: TesseraRuntime, logger: Logger) -> Router<TesseraRequestContext> {
        let router = Router(context: TesseraRequestContext.self)
        router.add(middleware: RequestOutcomeMiddleware(runtime: runtime, logger: logger))
        HealthRoutes(runtime: runtime).register(on: router)
        TokenRoutes(runtime: runtime).register(on: router)
        DiscoveryRoutes(runtime: runtime).register(on: router)
        IntrospectionRoutes(runtime: runtime, logger: logger).register(on: router)
        return router
    }

    public static func application(runtime: TesseraRuntime, host: String, port: Int, logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: router(runtime: runtime, logger: logger),
            configuration: .init(address: .hostname(host, port: port), serverName: "tessera"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
