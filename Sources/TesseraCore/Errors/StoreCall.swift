import TesseraStore

/// The one place a store failure becomes the `OAuthError` a request sees: runs a call to a store (or
/// to the `Directory` cache over it) and turns its `StoreError` into `OAuthError.internalFailure`
/// (503 `temporarily_unavailable`, the cause in the log detail only). `step` names what was being
/// done, for the description ("the server could not complete loading the signing keys right now").
/// Inlinable: it wraps the store reads of every request and should cost no generic call.
@inlinable
public func storeCall<T>(_ step: String, _ body: () async throws(StoreError) -> T) async throws(OAuthError) -> T {
    do {
        return try await body()
    } catch {
        throw OAuthError.internalFailure(error, during: step)
    }
}
