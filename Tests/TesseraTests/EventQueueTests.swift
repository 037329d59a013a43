import Foundation
import Testing
import TesseraCore
import TesseraStore

/// The queue between requests and the event log: batches in arrival order, a bounded backlog, nothing lost on a failed write.
@Suite struct EventQueueTests {
    static func event(_ number: Int) -> Event {
        Event(time: Date(timeIntervalSince1970: Double(number)), requestID: "r\(number)", server: "default", endpoint: "token",
              clientID: nil, outcome: .success, reason: nil, message: "event \(number)")
    }

    @Test func batchesComeOutOldestFirstWholeOrUpToTheLimit() {
        let queue = EventQueue(capacity: 10)
        for number in 1...5 { queue.record(Self.event(number)) }
        #expect(queue.take(max: 2).map(\.requestID) == ["r1", "r2"])
        #expect(queue.depth == 3)
        #expect(queue.take(max: 3).map(\.requestID) == ["r3", "r4", "r5"], "a batch of exactly the limit empties the queue")
        #expect(queue.take().isEmpty)
        queue.record(Self.event(6))
        #expect(queue.take().map(\.requestID) == ["r6"], "the queue keeps working after being emptied")
    }

    @Test func aFullQueueCountsDropsAndAFailedBatchGoesBackToTheFront() {
        let queue = EventQueue(capacity: 3)
        for number in 1...4 { queue.record(Self.event(number)) }
        #expect(queue.dropped == 1)
        let batch = queue.take(max: 2)
        queue.record(Self.event(5))
        queue.putBack(batch)
        #expect(queue.take().map(\.requestID) == ["r1", "r3", "r5"], "room for one of the two put back: the oldest goes in front, the other is dropped")
        #expect(queue.dropped == 2)
    }
}
