import Foundation
import PropertyBased
import Testing
import TesseraSQLite
import TesseraStore

/// The replay decision of the SQLite store against a plain model: random interleavings of claims,
/// the clock moving on, purges and restarts (close and reopen the database) must answer exactly what a
/// dictionary of claimed keys to expiries answers — a `jti` is refused while an earlier claim of it
/// has not expired, and accepted otherwise. (That two processes cannot both decide claims on one data
/// directory is `ServeProcessTests`' second-server test and `AssertionClaimTests`' lock test.)
@Suite struct ReplayModelTests {
    /// One step of a run, decoded from a generated number.
    enum Step: CustomStringConvertible {
        case claim(client: Int, jti: Int, lifetime: Int)
        case advance(seconds: Int)
        case purge
        case restart

        init(_ code: Int) {
            switch code % 10 {
            case 0...5: self = .claim(client: code / 10 % 2, jti: code / 20 % 4, lifetime: 1 + code / 80 % 90)
            case 6, 7: self = .advance(seconds: 1 + code / 10 % 60)
            case 8: self = .purge
            default: self = .restart
            }
        }

        var description: String {
            switch self {
            case .claim(let client, let jti, let lifetime): "claim(c\(client), j\(jti), +\(lifetime)s)"
            case .advance(let seconds): "advance(\(seconds)s)"
            case .purge: "purge"
            case .restart: "restart"
            }
        }
    }

    @Test func theSQLiteReplayDecisionMatchesAPlainModelAcrossPurgesAndRestarts() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...9_999).array(of: 1...40)) { codes in
            let steps = codes.map(Step.init)
            let path = SQLiteTestFile.path("replay-model")
            defer { SQLiteTestFile.remove(path) }
            // A store dropped without close() stops the whole test process (sqlite-nio asserts in its
            // deinit): whatever a step throws, the store open at that moment is closed before the issue is recorded.
            var open: SQLiteStore?
            do {
                var store = try await SQLiteStore.open(path: path)
                open = store
                var model: [String: Date] = [:]
                var now = Date(timeIntervalSince1970: 1_800_000_000)
                for (index, step) in steps.enumerated() {
                    switch step {
                    case .claim(let client, let jti, let lifetime):
                        let key = "c\(client)|j\(jti)"
                        let expiresAt = now.addingTimeInterval(TimeInterval(lifetime))
                        let expected = model[key].map { $0 < now } ?? true
                        let accepted = try await store.claim(clientID: "c\(client)", jti: "j\(jti)", expiresAt: expiresAt, now: now)
                        #expect(accepted == expected, "step \(index) \(step) of \(steps)")
                        if expected { model[key] = expiresAt }
                    case .advance(let seconds):
                        now = now.addingTimeInterval(TimeInterval(seconds))
                    case .purge:
                        _ = try await store.purgeExpired(now: now)
                    case .restart:
                        await store.close()
                        open = nil
                        store = try await SQLiteStore.open(path: path)
                        open = store
                    }
                }
                await store.close()
            } catch {
                await open?.close()
                Issue.record("the store failed: \(error) in \(steps)")
            }
        }
    }
}
