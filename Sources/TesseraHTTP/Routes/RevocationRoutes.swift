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
        OAuthEndpointRoute.post("revoke", on: router, runtime: runtime) { request, context, server in
            try await revoke(request, context: context, server: server)
        }
    }

    func revoke(_ request: Request, context: TesseraRequestContext, server: AuthorizationServer) async throws -> Response {
        let form = try await request.formParameters(context: context)
        let client = try await runtime.authenticator.authenticate(try request.clientCredentials(form: form), server: server, at: .revocation)
        guard let token = form["token"] else {
            throw OAuthError(.invalidRequest, .tokenMissing, "the revocation request has no token parameter; send token=<the token to revoke>", clientID: client.id)
        }
        switch try await runtime.revoker.revoke(token, caller: client, server: server) {
        case .revoked(let facts):
            context.event.note(clientID: client.id, message: "revoked a \(facts.kind.rawValue) of client \(client.id)", detail: ["jti": facts.jti])
            logger.notice("token revoked", metadata: [
                "request_id": .string(context.requestID), "client_id": .string(client.id), "jti": .string(facts.jti),
                "token_type": .string(facts.kind.rawValue),
            ])
        case .nothingToRevoke(let reason, let detail):
            context.event.note(clientID: client.id, message: "nothing to revoke (answered 200): \(reason.explanation)", reason: reason.rawValue, detail: detail)
            var metadata: Logger.Metadata = ["request_id": .string(context.requestID), "client_id": .string(client.id), "reason": .string(reason.rawValue)]
            for (key, value) in detail { metadata["detail.\(key)"] = .string(value) }
            logger.notice("revocation of an inactive token (answered 200)", metadata: metadata)
        }
        return Response(status: .ok, headers: [.cacheControl: "no-store", .pragma: "no-cache"])
    }
}
