import Foundation
import Testing
import TesseraCore
import TesseraHTTP
import TesseraStore

/// The event log's bounds besides its age: at most so many events, the oldest deleted first in small
/// batches, and successes kept as a sample while every failure is kept.
@Suite struct EventLogBoundsTests {
    static func tokenRequests(_ deployment: TestDeployment, client: TestDeployment.RegisteredClient, good: Int, bad: Int) async throws {
        try await deployment.http { http async throws in
            for _ in 0..<good {
                _ = try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: [("grant_type", "client_credentials")],
                                        headers: HTTPDriver.basic(client.id, client.secret ?? ""))
            }
            for _ in 0..<bad {
                _ = try await http.post(path(deployment.defaultURLs.tokenEndpoint), form: [("grant_type", "client_credentials")],
                                        headers: HTTPDriver.basic(client.id, "wrong"))
            }
        }
    }

    @Test func theSizeBoundDeletesTheOldestEventsFirstInBatches() async throws {
        try await TestDeployment.with(eventLog: EventLogPolicy(maxEvents: 5)) { deployment async throws in
            let client = try await deployment.register(.clientSecretBasic)
            try await Self.tokenRequests(deployment, client: client, good: 12, bad: 0)
            let all = try await deployment.events()
            #expect(all.count == 12)
            let removed = try await deployment.runtime.purgeEvents(olderThan: .seconds(30 * 86_400), batch: 2, pause: .zero)
            #expect(removed == 7, "everything beyond the newest five, two at a time")
            let left = try await deployment.events()
            #expect(left.map(\.id) == all.suffix(5).map(\.id), "the newest five are kept")
        }
    }

    @Test func aSuccessSampleOfZeroKeepsEveryFailureAndNoSuccess() async throws {
        try await TestDeployment.with(eventLog: EventLogPolicy(successSample: 0)) { deployment async throws in
            let client = try await deployment.register(.clientSecretBasic)
            try await Self.tokenRequests(deployment, client: client, good: 5, bad: 3)
            let events = try await deployment.events()
            #expect(events.count == 3 && events.allSatisfy { $0.outcome == .failure }, "\(events.map(\.outcome))")
            #expect(events.allSatisfy { $0.reason == ReasonCode.clientAuthSecretInvalid.rawValue })
        }
    }

    @Test func aSuccessSampleOfAHalfKeepsAboutHalf() async throws {
        try await TestDeployment.with(eventLog: EventLogPolicy(successSample: 0.5)) { deployment async throws in
            let client = try await deployment.register(.clientSecretBasic)
            try await Self.tokenRequests(deployment, client: client, good: 400, bad: 0)
            let kept = try await deployment.events(EventQuery(limit: 1000)).count
            // Binomial(400, 0.5): below 140 or above 260 happens with a probability under 1e-9.
            #expect((140...260).contains(kept), "\(kept) of 400 kept")
        }
    }
}
