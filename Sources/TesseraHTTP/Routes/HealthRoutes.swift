import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraStore

/// `GET /healthz`: the process is up and answering.
struct HealthRoutes {
    func register(on router: Router<TesseraRequestContext>) {
        router.get("/healthz") { _, _ in
            JSONResponse.make([("status", .string("ok"))], headers: [.cacheControl: "no-store"])
        }
    }
}
