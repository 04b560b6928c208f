import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

struct ConcurrentAppendTests {
    @Test func manyConcurrentWritersKeepSeqAndChainIntact() throws {
        let fixture = try TemporaryLog()
        let log = fixture.log
        let now = fixture.clock.now()
        DispatchQueue.concurrentPerform(iterations: 16) { worker in
            for number in 0..<25 {
                guard let receipt = try? log.receive(sampleLead(worker * 100 + number, at: now)) else { continue }
                _ = try? log.append([PendingEvent(attempt(receipt.leadID, 1)), PendingEvent(attempt(receipt.leadID, 2))])
            }
        }
        #expect(try log.count() == 16 * 25 * 3)
        let report = try log.verify()
        #expect(report.isIntact, "\(String(describing: report.problem))")
        #expect(report.eventsChecked == 16 * 25 * 3)
    }

    @Test func twoConnectionsOnOneFileShareTheChain() throws {
        let fixture = try TemporaryLog()
        let other = try EventLog.open(path: fixture.path, clock: fixture.clock)
        let logs = [fixture.log, other]
        let now = fixture.clock.now()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for number in 0..<20 { _ = try? logs[worker % 2].receive(sampleLead(worker * 100 + number, at: now)) }
        }
        #expect(try fixture.log.count() == 160)
        #expect(try other.verify().isIntact)
    }

    /// Two real processes (the bench tool's `append` mode) and this one write the same file at once, as `serve` and
    /// `react` will.
    @Test func twoProcessesAppendingTogetherNeverForkTheChain() async throws {
        let bench = try builtProduct("leadledger-bench")
        let fixture = try TemporaryLog()
        let path = fixture.path
        async let first = Task.detached { try run(bench, ["append", "--db", path, "--leads", "150"]) }.value
        async let second = Task.detached { try run(bench, ["append", "--db", path, "--leads", "150"]) }.value
        let log = fixture.log
        let now = fixture.clock.now()
        for number in 0..<100 { _ = try log.receive(sampleLead(number, at: now)) }
        let results = try await [first, second]
        for result in results { #expect(result.code == 0, "\(result.stderr)") }
        // Each child wrote 150 leads with one attempt and one outcome each.
        #expect(try log.count() == 100 + 2 * 150 * 3)
        let report = try log.verify()
        #expect(report.isIntact, "\(String(describing: report.problem))")
    }
}
