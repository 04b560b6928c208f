import Dispatch
import Foundation
import Hummingbird
import Testing

@testable import LedgerHTTP

/// The read lane runs blocking reads one at a time off the request threads, and holds at most its limit of them.
struct BlockingLaneTests {
    /// Waits (bounded) until the lane holds `count` jobs.
    private func waitForLoad(_ lane: BlockingLane, _ count: Int) async throws {
        for _ in 0..<5000 where lane.load < count { try await Task.sleep(for: .milliseconds(1)) }
        try #require(lane.load == count)
    }

    @Test func aFullLaneAnswers503AtOnceAndTakesWorkAgainOnceItDrains() async throws {
        let lane = BlockingLane(label: "leadledger.test", limit: 2)
        let gate = DispatchSemaphore(value: 0)
        async let first: Int = lane.run {
            gate.wait()
            return 1
        }
        try await waitForLoad(lane, 1)
        async let second: Int = lane.run { 2 }  // the limit's last place: queued behind the first
        try await waitForLoad(lane, 2)

        await #expect(throws: BlockingLane.Full.self) { try await lane.run { 3 } }
        let refused = await lane.respond { Response(status: .ok) }
        #expect(refused.status == .serviceUnavailable)
        #expect(refused.headers[.retryAfter] == "1")

        gate.signal()
        #expect(try await first == 1)
        #expect(try await second == 2)
        #expect(lane.load == 0)
        #expect(await lane.respond { Response(status: .ok) }.status == .ok)
    }

    @Test func aFailingJobGivesItsPlaceBack() async throws {
        struct Broken: Error {}
        let lane = BlockingLane(label: "leadledger.test", limit: 1)
        await #expect(throws: Broken.self) { try await lane.run { () throws -> Int in throw Broken() } }
        #expect(lane.load == 0)
        #expect(try await lane.run { 7 } == 7)
    }
}
