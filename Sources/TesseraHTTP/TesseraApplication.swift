import Hummingbird
import HummingbirdCore
import NIOCore
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
        RevocationRoutes(runtime: runtime, logger: logger).register(on: router)
        AuthorizeRoutes(runtime: runtime).register(on: router)
        UserinfoRoutes(runtime: runtime).register(on: router)
        LogoutRoutes(runtime: runtime).register(on: router)
        ManagementRoutes(runtime: runtime).register(on: router)
        return router
    }

    /// The node's HTTP/1.1 server: the router behind `ConnectionGuard`, with the idle timeout and header
    /// limits of `timeouts` and `headerLimits`.
    public static func application(runtime: TesseraRuntime, host: String, port: Int, logger: Logger, timeouts: ConnectionTimeouts = ConnectionTimeouts(),
                                   onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: router(runtime: runtime, logger: logger),
            server: .http1(configuration: http1Configuration(runtime: runtime, logger: logger, timeouts: timeouts)),
            configuration: .init(address: .hostname(host, port: port), serverName: "tessera"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    /// Most header fields a request may have, and most bytes all of them may take; past either the
    /// answer is 431 (an OAuth request has a dozen small headers).
    public static let headerLimits = (fields: 100, bytes: 32 * 1024)

    static func http1Configuration(runtime: TesseraRuntime, logger: Logger, timeouts: ConnectionTimeouts) -> HTTP1Channel.Configuration {
        let onRejection: @Sendable (FramingRejection) -> Void = { rejection in
            runtime.recordFramingRejection(rejection)
            logger.notice("request rejected", metadata: [
                "request_id": .string(rejection.requestID), "status": .stringConvertible(rejection.error.httpStatus),
                "error": .string(rejection.error.code.rawValue), "reason": .string(rejection.error.reason.rawValue),
                "description": .string(rejection.error.description), "remote": .string(rejection.remoteAddress ?? ""),
            ])
        }
        return HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionGuard(timeouts: timeouts, onRejection: onRejection)],
            idleTimeout: TimeAmount(timeouts.idle),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: headerLimits.bytes, maxHeaderListSize: headerLimits.bytes,
                                            maxHeaderFieldCount: headerLimits.fields))
    }
}
