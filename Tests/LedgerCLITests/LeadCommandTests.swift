import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// `leadledger lead ID`: one lead's state and timeline.
struct LeadCommandTests {
    /// Three leads of known fates: delivered after one failure, dead, and waiting for a retry.
    private func populated() throws -> (Workspace, delivered: LeadID, dead: LeadID, pending: LeadID) {
        let workspace = try Workspace()
        let ids = try workspace.withLog { log, clock in
            let delivered = try log.receive(knownLead(at: clock.now(), phone: "+79160000001")).leadID
            let dead = try log.receive(knownLead(at: clock.now(), phone: "+79160000002")).leadID
            let pending = try log.receive(knownLead(at: clock.now(), phone: "+79160000003")).leadID
            clock.advance(milliseconds: 30_000)
            try log.append([attempted(delivered), failed(delivered, retryAt: clock.now().adding(seconds: 600))])
            try log.append([attempted(dead), failed(dead, retryAt: nil)])
            try log.append([attempted(pending), failed(pending, retryAt: clock.now().adding(seconds: 86_400))])
            clock.advance(milliseconds: 600_000)
            try log.append([attempted(delivered, 2), succeeded(delivered, 2, crmLeadID: 777)])
            return (delivered, dead, pending)
        }
        return (workspace, ids.0, ids.1, ids.2)
    }

    @Test func textShowsTheContactStateAndEveryTimelineEvent() throws {
        let (workspace, delivered, _, _) = try populated()
        let result = try workspace.leadledger("lead", delivered.description)
        #expect(result.code == 0, "\(result)")
        let text = result.stdout
        #expect(text.contains("Lead \(delivered)"), "\(result)")
        #expect(text.contains("+79160000001"), "\(result)")
        #expect(text.contains("state      synced"), "\(result)")
        #expect(text.contains("AmoCRM lead 777"), "\(result)")
        #expect(text.contains("timeline"), "\(result)")
        let timeline = result.lines.filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
        #expect(timeline.count == 5, "\(result)")
        for type in ["LeadReceived", "SyncAttempted", "SyncFailed", "SyncSucceeded"] {
            #expect(text.contains(type), "\(type) missing: \(result)")
        }
    }

    @Test func textOfADeadLeadSaysDeadWithItsLastError() throws {
        let (workspace, _, dead, _) = try populated()
        let result = try workspace.leadledger("lead", dead.description)
        #expect(result.code == 0, "\(result)")
        #expect(result.stdout.contains("state      dead"), "\(result)")
        #expect(result.stdout.contains("rejected"), "\(result)")
        #expect(result.stdout.contains("no retry (dead)"), "\(result)")
    }

    @Test func jsonParsesWithStateAndTheWholeTimeline() throws {
        let (workspace, delivered, dead, pending) = try populated()
        for (lead, state, events) in [(delivered, "synced", 5), (dead, "dead", 3), (pending, "pending", 3)] {
            let result = try workspace.leadledger("lead", lead.description, "--json")
            #expect(result.code == 0, "\(result)")
            let object = try jsonObject(result.stdout)
            #expect(object["lead_id"] as? String == lead.description)
            #expect(object["state"] as? String == state, "\(result)")
            let timeline = try #require(object["timeline"] as? [[String: Any]], "\(result)")
            #expect(timeline.count == events)
            #expect(timeline.allSatisfy { $0["stream"] as? String == lead.description })
            #expect(timeline.first?["type"] as? String == "LeadReceived")
            let seqs = timeline.compactMap { int($0["seq"]) }
            #expect(seqs == seqs.sorted())
        }
        let failing = try jsonObject(try workspace.leadledger("lead", delivered.description, "--json").stdout)
        #expect(int(failing["attempts"]) == 2)
        #expect(int(failing["failures"]) == 1)
    }

    @Test func anUnknownLeadIsARuntimeErrorWithExitThree() throws {
        let (workspace, _, _, _) = try populated()
        let stranger = LeadID.make(at: Workspace.defaultStart)
        let result = try workspace.leadledger("lead", stranger.description)
        #expect(result.code == 3, "\(result)")
        #expect(result.stderr.contains(stranger.description), "\(result)")
        let json = try workspace.leadledger("lead", stranger.description, "--json")
        #expect(json.code == 3, "\(json)")
    }

    @Test func anIdThatIsNotAUUIDIsAUsageErrorWithExitTwo() throws {
        let (workspace, _, _, _) = try populated()
        let result = try workspace.leadledger("lead", "12345")
        #expect(result.code == 2, "\(result)")
        let missing = try workspace.leadledger("lead")
        #expect(missing.code == 2, "\(missing)")
    }
}
