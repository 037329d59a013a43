import HTTPTypes
import Hummingbird
import Logging
import TesseraCore
import TesseraStore

/// `POST {issuer}/v1/revoke` (RFC 7009): a client revokes a token issued to it; the answer is 200
/// whatever the token was, and the event says what happened.
struct RevocationRoutes {
    let runtime: TesseraRuntime
    let logger: Logger

    func register(on router: Router<TesseraRequestContext>) {
        OAuthEndpointRoute.post("revoke", on: router, runtime: runtime) { request, context, server, address in
            try await revoke(request, context: context, server: server, from: address)
        }
    }

    func revoke(_ request: Request, context: TesseraRequestContext, server: AuthorizationServer, from address: String?) async throws -> Response {
        let form = try await request.formParameters(context: context)
        let outcome = try await runtime.revocation.handle(token: form["token"], credentials: try request.clientCredentials(form: form), server: server, from: address)
        context.event.note(outcome.event)
        var metadata: Logger.Metadata = ["request_id": .string(context.requestID), "client_id": .string(outcome.event.clientID ?? "")]
        if let facts = outcome.revoked {
            metadata["jti"] = .string(facts.jti)
            metadata["token_type"] = .string(facts.kind.rawValue)
            logger.notice("token revoked", metadata: metadata)
        } else {
            metadata["reason"] = .string(outcome.event.reason?.rawValue ?? "")
            for (key, value) in outcome.event.detail { metadata["detail.\(key)"] = .string(value) }
            logger.notice("revocation of an inactive token (answered 200)", metadata: metadata)
        }
        return Response(status: .ok, headers: [.cacheControl: "no-store", .pragma: "no-cache"])
    }
}
