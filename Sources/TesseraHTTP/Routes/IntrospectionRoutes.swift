import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import TesseraCore
import TesseraStore

/// `POST {issuer}/v1/introspect` (RFC 7662; RFC 9701 signed answers on `Accept`).
struct IntrospectionRoutes {
    static let inactiveMembers: [(String, JSONValue)] = [("active", .bool(false))]
    static let inactiveAnswer = JSONWriter.object(inactiveMembers)

    let runtime: TesseraRuntime
    let logger: Logger

    func register(on router: Router<TesseraRequestContext>) {
        OAuthEndpointRoute.post("introspect", on: router, runtime: runtime) { request, context, server in
            try await introspect(request, context: context, server: server)
        }
    }

    func introspect(_ request: Request, context: TesseraRequestContext, server: AuthorizationServer) async throws -> Response {
        let form = try await request.formParameters(context: context)
        let caller: IntrospectionCaller
        switch try request.clientCredentials(form: form, acceptsBearer: true) {
        case .bearer(let token):
            caller = try await runtime.bearer.authenticate(token, server: server)
        case let credentials:
            let client = try await runtime.authenticator.authenticate(credentials, server: server, at: .introspection)
            caller = IntrospectionCaller(client: client, viaBearer: false)
        }
        guard let token = form["token"] else {
            throw OAuthError(.invalidRequest, .tokenMissing, "the introspection request has no token parameter; send token=<the token to check>", clientID: caller.client.id)
        }
        let answer: [UInt8]
        let activeFacts: TokenFacts?
        switch try await runtime.introspector.introspect(token, caller: caller, server: server) {
        case .active(let rendered, let facts):
            answer = rendered
            activeFacts = facts
            context.event.note(clientID: caller.client.id, message: "token is active (issued to \(facts.clientID))",
                               detail: ["jti": facts.jti, "token_client_id": facts.clientID, "via": caller.viaBearer ? "bearer" : "client_auth"])
        case .inactive(let reason, let detail):
            logInactive(reason, detail: detail, caller: caller, context: context)
            context.event.note(clientID: caller.client.id, message: "answered {\"active\":false}: \(reason.explanation)", reason: reason.rawValue,
                               detail: detail.merging(["via": caller.viaBearer ? "bearer" : "client_auth"]) { own, _ in own })
            answer = Self.inactiveAnswer
            activeFacts = nil
        }
        let headers: HTTPFields = [.cacheControl: "no-store", .pragma: "no-cache"]
        guard let accept = request.headers.value(.accept), accept.lowercased().contains(SignedIntrospectionAnswer.mediaType) else {
            return JSONResponse.bytes(answer, headers: headers)
        }
        let members = activeFacts.map(Introspector.members) ?? Self.inactiveMembers
        let jwt = try await runtime.signedIntrospection.sign(members, audience: caller.client.id, server: server)
        var fields = headers
        fields[.contentType] = SignedIntrospectionAnswer.mediaType
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(string: jwt)))
    }

    private func logInactive(_ reason: ReasonCode, detail: [String: String], caller: IntrospectionCaller, context: TesseraRequestContext) {
        var metadata: Logger.Metadata = [
            "request_id": .string(context.requestID), "client_id": .string(caller.client.id), "reason": .string(reason.rawValue),
            "via": .string(caller.viaBearer ? "bearer" : "client_auth"),
        ]
        for (key, value) in detail { metadata["detail.\(key)"] = .string(value) }
        logger.notice("introspection answered inactive", metadata: metadata)
    }
}
