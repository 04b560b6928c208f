import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// Queue numbers as `status` prints them (the age of the oldest pending lead depends on the wall clock, so it is
/// left out of comparisons).
struct QueueNumbers: Equatable, CustomStringConvertible {
    var pending: Int?
    var inFlight: Int?
    var synced: Int?
    var dead: Int?
    var spam: Int?

    init(_ status: [String: Any]) {
        pending = int(field(status, "queue", "pending"))
        inFlight = int(field(status, "queue", "in_flight"))
        synced = int(field(status, "queue", "synced"))
        dead = int(field(status, "queue", "dead"))
        spam = int(field(status, "queue", "spam"))
    }

    var description: String {
        "pending \(pending ?? -1), in flight \(inFlight ?? -1), synced \(synced ?? -1), dead \(dead ?? -1), spam \(spam ?? -1)"
    }
}

extension Workspace {
    func status() throws -> [String: Any] {
        let result = try leadledger("status")
        guard result.code == 0 else { throw FixtureError(message: "status failed: \(result)") }
        return try jsonObject(result.stdout)
    }
}

/// `leadledger status` and `leadledger rebuild`.
struct StatusAndRebuildTests {
    @Test func statusShowsTheGeneratedQueueAndConservationHolds() throws {
        let workspace = try Workspace()
        let summary = try workspace.generate(leads: 120, seed: 21)
        let result = try workspace.leadledger("status")
        #expect(result.code == 0, "\(result)")
        let status = try jsonObject(result.stdout)
        #expect(bool(field(status, "conservation", "holds")) == true, "\(result)")
        #expect(int(status["received_total"]) == summary.leads)
        #expect(int(field(status, "log", "last_seq")).map(Int64.init) == summary.events)
        let queue = QueueNumbers(status)
        #expect(queue.synced == summary.delivered, "\(queue) vs \(summary)")
        #expect(queue.pending == summary.pending, "\(queue) vs \(summary)")
        #expect(queue.inFlight == summary.inFlight, "\(queue) vs \(summary)")
        #expect(queue.dead == summary.dead, "\(queue) vs \(summary)")
        #expect(queue.spam == summary.spam, "\(queue) vs \(summary)")
        let projections = try #require(status["projections"] as? [[String: Any]])
        #expect(!projections.isEmpty)
        #expect(projections.allSatisfy { int($0["lag"]) == 0 }, "\(result)")
        // No secrets configured: the output says what is disabled.
        #expect((status["crm"] as? String)?.contains("disabled") == true)
    }

    @Test func rebuildExitsZeroAndStatusShowsTheSameQueueAfterwards() throws {
        let workspace = try Workspace()
        let summary = try workspace.generate(leads: 150, seed: 5)
        let before = try workspace.status()

        let rebuild = try workspace.leadledger("rebuild")
        #expect(rebuild.code == 0, "\(rebuild)")
        #expect(rebuild.stdout.contains("rebuild: replayed \(summary.events) events"), "\(rebuild)")

        let after = try workspace.status()
        #expect(QueueNumbers(after) == QueueNumbers(before))
        #expect(int(after["received_total"]) == int(before["received_total"]))
        #expect(bool(field(after, "conservation", "holds")) == true)
        #expect(try workspace.leadledger("verify").code == 0)
    }

    @Test func rebuildOnAFreshLogAndTwiceInARowIsHarmless() throws {
        let workspace = try Workspace()
        try workspace.generate(leads: 20, seed: 9)
        // Never projected before: rebuild is the first thing that builds the read models.
        #expect(try workspace.leadledger("rebuild").code == 0)
        let once = try workspace.status()
        #expect(try workspace.leadledger("rebuild").code == 0)
        #expect(QueueNumbers(try workspace.status()) == QueueNumbers(once))
    }

    /// The read models live in `<db>.projections.sqlite`: a file that is not a database is replaced by the next
    /// command, one with damaged pages by `rebuild`; either way the numbers come back from the log.
    @Test func aDamagedReadModelFileIsRebuiltFromTheLog() throws {
        let workspace = try Workspace()
        try workspace.generate(leads: 300, seed: 31)
        let before = QueueNumbers(try workspace.status())
        let storePath = workspace.databasePath + ".projections.sqlite"
        #expect(FileManager.default.fileExists(atPath: storePath))

        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: storePath))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: 8192)
        try handle.write(contentsOf: Data(repeating: 0x5A, count: max(0, Int(size) - 8192)))
        try handle.close()
        let rebuild = try workspace.leadledger("rebuild")
        #expect(rebuild.code == 0, "\(rebuild)")
        #expect(QueueNumbers(try workspace.status()) == before)

        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: storePath))
        #expect(QueueNumbers(try workspace.status()) == before)
    }

    @Test func statusCatchesUpWithEventsWrittenAfterTheLastRun() throws {
        let workspace = try Workspace()
        try workspace.generate(leads: 10, seed: 4)
        let before = QueueNumbers(try workspace.status())
        try workspace.withLog(start: Workspace.defaultStart.adding(seconds: 86_400)) { log, clock in
            _ = try log.receive(knownLead(at: clock.now()))
        }
        let after = QueueNumbers(try workspace.status())
        #expect(after.pending == (before.pending ?? 0) + 1)
    }
}

/// `leadledger requeue`.
struct RequeueCommandTests {
    @Test func requeueDeadTurnsEveryDeadLeadBackIntoPending() throws {
        let workspace = try Workspace()
        let (mine, summary) = try workspace.withLog { log, clock in
            let summary = try LeadHistoryGenerator.write(leads: 100, to: log, clock: clock, seed: 13)
            clock.advance(milliseconds: 7_200_000)
            let mine = try log.receive(knownLead(at: clock.now())).leadID
            try log.append([attempted(mine), failed(mine, retryAt: nil)])
            return (mine, summary)
        }
        let dead = summary.dead + 1
        let before = QueueNumbers(try workspace.status())
        #expect(before.dead == dead, "\(before)")
        let mineBefore = try jsonObject(try workspace.leadledger("lead", mine.description, "--json").stdout)
        #expect(mineBefore["state"] as? String == "dead")

        let result = try workspace.leadledger("requeue", "--dead")
        #expect(result.code == 0, "\(result)")
        #expect(result.stdout.contains("requeue: \(dead) lead(s) back in the queue"), "\(result)")

        let after = QueueNumbers(try workspace.status())
        #expect(after.dead == 0, "\(after)")
        #expect(after.pending == (before.pending ?? 0) + dead, "\(before) -> \(after)")
        #expect(after.synced == before.synced)
        let mineAfter = try jsonObject(try workspace.leadledger("lead", mine.description, "--json").stdout)
        #expect(mineAfter["state"] as? String == "pending")
        let timeline = try #require(mineAfter["timeline"] as? [[String: Any]])
        #expect(timeline.last?["type"] as? String == "LeadRequeued")
        #expect(try workspace.leadledger("verify").code == 0)

        // Nothing dead any more: a second run requeues nothing.
        let again = try workspace.leadledger("requeue", "--dead")
        #expect(again.code == 0, "\(again)")
        #expect(again.stdout.contains("requeue: 0 lead(s)"), "\(again)")
    }

    @Test func requeueByIdRequeuesOnlyThatDeadLeadAndLeavesOthersAlone() throws {
        let workspace = try Workspace()
        let (one, other, delivered) = try workspace.withLog { log, clock in
            let one = try log.receive(knownLead(at: clock.now(), phone: "+79160000021")).leadID
            let other = try log.receive(knownLead(at: clock.now(), phone: "+79160000022")).leadID
            let delivered = try log.receive(knownLead(at: clock.now(), phone: "+79160000023")).leadID
            clock.advance(milliseconds: 30_000)
            try log.append([attempted(one), failed(one, retryAt: nil), attempted(other), failed(other, retryAt: nil)])
            try log.append([attempted(delivered), succeeded(delivered)])
            return (one, other, delivered)
        }
        let result = try workspace.leadledger("requeue", one.description, delivered.description)
        #expect(result.code == 0, "\(result)")
        #expect(result.stdout.contains("requeue: 1 lead(s)"), "\(result)")
        #expect(result.stderr.contains("\(delivered) is synced, not dead"), "\(result)")
        func state(_ lead: LeadID) throws -> String? {
            try jsonObject(try workspace.leadledger("lead", lead.description, "--json").stdout)["state"] as? String
        }
        #expect(try state(one) == "pending")
        #expect(try state(other) == "dead")
        #expect(try state(delivered) == "synced")
    }

    @Test func requeueWithNeitherIdsNorDeadIsAUsageErrorWithExitTwo() throws {
        let workspace = try Workspace()
        try workspace.generate(leads: 10, seed: 1)
        let before = try workspace.withLog { log, _ in try log.count() }
        let result = try workspace.leadledger("requeue")
        #expect(result.code == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        let both = try workspace.leadledger("requeue", "--dead", LeadID.make(at: Workspace.defaultStart).description)
        #expect(both.code == 2, "\(both)")
        let invalid = try workspace.leadledger("requeue", "notauuid")
        #expect(invalid.code == 2, "\(invalid)")
        #expect(try workspace.withLog { log, _ in try log.count() } == before, "a usage error must write nothing")
    }
}
