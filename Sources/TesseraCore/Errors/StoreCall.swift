/// Runs a call to a store (or another dependency that can fail for reasons a caller cannot fix) and
/// turns its failure into the one `OAuthError` a request sees (`OAuthError.internalFailure`:
/// 503 `temporarily_unavailable`, the cause in the log detail only). `step` names what was being done,
/// for the description ("the server could not complete loading the signing keys right now"). Inlinable:
/// it wraps the store reads of every request and should cost no generic call.
@inlinable
public func storeCall<T>(_ step: String, _ body: () async throws -> T) async throws(OAuthError) -> T {
    do {
        return try await body()
    } catch {
        throw OAuthError.internalFailure(error, during: step)
    }
}
