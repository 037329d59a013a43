import HTTPTypes
import Hummingbird
import NIOCore
import TesseraCore
import TesseraStore

/// Operations endpoints, without authentication: `/healthz` (the process answers), `/readyz` (the
/// store answers), `/metrics` (Prometheus text format).
struct HealthRoutes {
    let runtime: TesseraRuntime

    func register(on router: Router<TesseraRequestContext>) {
        router.get("/healthz") { _, _ in
            JSONResponse.make([("status", .string("ok"))], headers: [.cacheControl: "no-store"])
        }
        router.get("/readyz") { _, _ in
            do {
                let started = ContinuousClock.now
                _ = try await runtime.stores.changes.changeVersion()
                runtime.metrics.store(operation: "readiness", duration: ContinuousClock.now - started)
                return JSONResponse.make([("status", .string("ready"))], headers: [.cacheControl: "no-store"])
            } catch {
                return JSONResponse.make([("status", .string("unavailable")), ("error", .string("the store did not answer: \(error)"))],
                                         status: .serviceUnavailable, headers: [.cacheControl: "no-store"])
            }
        }
        router.get("/metrics") { _, _ in
            runtime.metrics.caches(runtime.directory)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4", .cacheControl: "no-store"],
                     body: .init(byteBuffer: ByteBuffer(bytes: runtime.metrics.exposition())))
        }
    }
}
