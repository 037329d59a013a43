import Foundation

/// Lets one node of several do a deployment-wide job (the scheduled key rotation): a named lease held
/// by one holder until it expires, renewed by its holder, taken over by another once it has expired.
public protocol LeaseStore: Sendable {
    /// Takes or renews the lease `name` for `holder` until `until`: granted when nobody holds it, when
    /// `holder` holds it already, or when its holder's time ended before `now`. True when granted; one
    /// atomic step, so two nodes asking at once cannot both get it.
    func acquireLease(_ name: String, holder: String, until: Date, now: Date) async throws(StoreError) -> Bool
}
