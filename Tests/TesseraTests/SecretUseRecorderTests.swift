import Foundation
import Testing
@testable import TesseraCore
import TesseraStore
import TesseraStoreTesting

/// The last use of client secrets: recorded off the request path, at most once a minute per secret, and
/// in batches when many secrets come due together.
struct SecretUseRecorderTests {
    @Test func aBurstOfThousandsOfDueSecretsIsWrittenInAFewBatchesAndNoneIsLost() async throws {
        let store = MemoryStore()
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))
        let recorder = SecretUseRecorder(clients: store, clock: clock)
        for index in 0..<5_000 { recorder.note(clientID: "c\(index % 100)", secretID: "sec_\(index)") }
        await recorder.flush()
        let recorded = try await (0..<100).asyncReduce(0) { try await $0 + store.secretUses(clientID: "c\($1)").count }
        #expect(recorded == 5_000, "every due use is written, got \(recorded)")
        let batches = recorder.batchesWritten.load(ordering: .relaxed)
        #expect(batches >= 1 && batches < 100, "5,000 uses noted at once are a few batches, not one write each: \(batches)")

        // Within the minute a secret is not written again; a minute later it is, with the new time.
        for index in 0..<5_000 { recorder.note(clientID: "c\(index % 100)", secretID: "sec_\(index)") }
        await recorder.flush()
        #expect(recorder.batchesWritten.load(ordering: .relaxed) == batches, "no write within the minute")
        clock.advance(by: 61)
        recorder.note(clientID: "c7", secretID: "sec_7")
        await recorder.flush()
        #expect(try await store.secretUses(clientID: "c7")["sec_7"] == clock.now)
    }

    /// Uses coming due one after another while a batch could be written (what 10,000 callers do for
    /// seconds every minute) are collected for the batch window, not written two or three at a time.
    /// The window here is a gate the test opens once every use is noted (without one, 414 batches).
    @Test func usesComingDueOneByOneAreCollectedIntoOneBatchPerWindow() async throws {
        let store = MemoryStore()
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))
        let window = Gate()
        let recorder = SecretUseRecorder(clients: store, clock: clock, beforeEachBatch: { await window.wait() })
        for index in 0..<1_000 {
            recorder.note(clientID: "c\(index)", secretID: "sec_\(index)")
            await Task.yield()
        }
        window.open()
        await recorder.flush()
        let recorded = try await (0..<1_000).asyncReduce(0) { try await $0 + store.secretUses(clientID: "c\($1)").count }
        #expect(recorded == 1_000)
        #expect(recorder.batchesWritten.load(ordering: .relaxed) == 1, "1,000 uses noted within one window are one batch")
    }
}

extension Sequence {
    fileprivate func asyncReduce<Result>(_ initial: Result, _ next: (Result, Element) async throws -> Result) async rethrows -> Result {
        var result = initial
        for element in self { result = try await next(result, element) }
        return result
    }
}
