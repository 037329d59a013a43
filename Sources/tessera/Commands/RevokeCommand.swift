import ArgumentParser
import AsyncHTTPClient
import Foundation
import TesseraCore

/// `tessera revoke`: revokes a token (RFC 7009); prints `{}` on success.
struct RevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token (RFC 7009).")
    @OptionGroup var caller: CallerOptions
    @Option(name: .customLong("token-type-hint"), help: "access_token or refresh_token.") var hint: String?
    @Argument(help: "The token to revoke.") var token: String

    func run() async throws {
        guard caller.bearer == nil else { throw ValidationError("revocation needs client credentials, not --bearer") }
        var form = [("token", token)]
        if let hint { form.append(("token_type_hint", hint)) }
        try await caller.call(field: "revocation_endpoint", form: form)
    }
}
