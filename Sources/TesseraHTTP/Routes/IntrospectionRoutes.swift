import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import TesseraCore
import TesseraStore

/// `POST {issuer}/v1/introspect` (RFC 7662, RFC 9701) and `POST {issuer}/v1/revoke` (RFC 7009).
struct IntrospectionRoutes {
    static let jwtMediaType = "application/token-introspection+jwt"
    static let inactiveMembers: [(String, JSONValue)] = [("active", .bool(false))]
    static let inactiveAnswer = JSONWriter.object(inactiveMembers)

    let runtime: TesseraRuntime
    let logger: Logger

    func register(on router: Router<TesseraRequestContext>) {
        router.post("/oauth2/:server/v1/introspect") { request, context in try await introspect(request, context: context) }
        MethodGuard.only(.post, path: "/oauth2/:server/v1/introspect", on: router)
        router.post("/oauth2/:server/v1/revoke") { request, context in try await revoke(request, context: context) }
        MethodGuard.only(.post, path: "/oauth2/:server/v1/revoke", on: router)
    }

    func introspect(_ request: Request, context: TesseraRequestContext) async throws -> Response {
        let server = try await runtime.beginRequest(context, endpoint: "introspect")
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
        guard let accept = request.headers.value(.accept), accept.lowercased().contains(Self.jwtMediaType) else {
            return JSONResponse.bytes(answer, headers: headers)
        }
        let members = activeFacts.map(Introspector.members) ?? Self.inactiveMembers
        return try await signedAnswer(members, caller: caller, server: server, headers: headers)
    }

    /// RFC 9701: the answer as a JWT signed with the server's key, addressed to the caller.
    func signedAnswer(_ members: [(String, JSONValue)], caller: IntrospectionCaller, server: AuthorizationServer, headers: HTTPFields) async throws -> Response {
        let ring = try await runtime.directory.keyRing(server: server.name)
        guard let signer = ring.introspectionSigner else {
            throw OAuthError(.serverError, .serverNoSigningKey, "authorization server \(quoted(server.name)) has no active signing key")
        }
        let issuer = IssuerURLs(publicURL: runtime.settings.publicURL, server: server.name).issuer
        let payload = JSONWriter.object([
            ("iss", .string(issuer)), ("aud", .string(caller.client.id)), ("iat", .number(Double(runtime.clock.now.epochSeconds))),
            ("token_introspection", .object(Dictionary(members, uniquingKeysWith: { first, _ in first }))),
        ])
        var fields = headers
        fields[.contentType] = Self.jwtMediaType
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(string: try signer.sign(payload: payload))))
    }

    func revoke(_ request: Request, context: TesseraRequestContext) async throws -> Response {
        let server = try await runtime.beginRequest(context, endpoint: "revoke")
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

    private func logInactive(_ reason: ReasonCode, detail: [String: String], caller: IntrospectionCaller, context: TesseraRequestContext) {
        var metadata: Logger.Metadata = [
            "request_id": .string(context.requestID), "client_id": .string(caller.client.id), "reason": .string(reason.rawValue),
            "via": .string(caller.viaBearer ? "bearer" : "client_auth"),
        ]
        for (key, value) in detail { metadata["detail.\(key)"] = .string(value) }
        logger.notice("introspection answered inactive", metadata: metadata)
    }
}
