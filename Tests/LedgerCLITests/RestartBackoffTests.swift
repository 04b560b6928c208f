import Testing

@testable import LedgerCLI

struct RestartBackoffTests {
    @Test func aChildThatKeepsDyingYoungWaitsLongerEachTimeUpToTheCap() {
        var backoff = RestartBackoff()
        let delays = (0..<8).map { _ in backoff.delay(afterRunning: .seconds(2)) }
        #expect(delays == [1, 2, 4, 8, 16, 30, 30, 30].map { Duration.seconds($0) })
    }

    @Test func aChildThatRanPastTheStableMarkRestartsAfterTheInitialDelayAgain() {
        var backoff = RestartBackoff()
        for _ in 0..<5 { _ = backoff.delay(afterRunning: .seconds(1)) }
        #expect(backoff.delay(afterRunning: .seconds(60)) == .seconds(1))
        #expect(backoff.delay(afterRunning: .seconds(3)) == .seconds(2))
    }
}
