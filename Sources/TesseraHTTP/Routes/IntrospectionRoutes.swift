import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import TesseraCore
import TesseraStore

/// `POST {issuer}/v1/introspect` (RFC 7662; RFC 9701 signed answers on `Accept`).
struct IntrospectionRoutes {

    let runtime: TesseraRuntime
    let logger: Logger

    func register(on router: Router<TesseraRequestContext>) {
        OAuthEndpointRoute.post("introspect", on: router, runtime: runtime) { request, context, server, address in
            try await introspect(request, context: context, server: server, from: address)
        }
    }

    func introspect(_ request: Request, context: TesseraRequestContext, server: AuthorizationServer, from address: String?) async throws -> Response {
        let form = try await request.formParameters(context: context)
        let wantsJWT = request.headers.value(.accept)?.lowercased().contains(AccessTokenIssuer.introspectionAnswerMediaType) ?? false
        let outcome = try await runtime.introspection.handle(token: form["token"], credentials: try request.clientCredentials(form: form, acceptsBearer: true),
                                                             wantsJWT: wantsJWT, server: server, from: address)
        context.event.note(outcome.event)
        if let (reason, detail) = outcome.inactive {
            logInactive(reason, detail: detail, clientID: outcome.event.clientID ?? "", via: outcome.event.detail["via"] ?? "", context: context)
        }
        return Response(status: .ok, headers: [.contentType: outcome.contentType, .cacheControl: "no-store", .pragma: "no-cache"],
                        body: .init(byteBuffer: ByteBuffer(bytes: outcome.body)))
    }

    private func logInactive(_ reason: ReasonCode, detail: [String: String], clientID: String, via: String, context: TesseraRequestContext) {
        var metadata: Logger.Metadata = [
            "request_id": .string(context.requestID), "client_id": .string(clientID), "reason": .string(reason.rawValue), "via": .string(via),
        ]
        for (key, value) in detail { metadata["detail.\(key)"] = .string(value) }
        logger.notice("introspection answered inactive", metadata: metadata)
    }
}
