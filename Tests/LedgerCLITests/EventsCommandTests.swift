import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// `leadledger events`: the log as JSON Lines for auditors and scripts.
struct EventsCommandTests {
    static let phone = "+79161234567"

    /// A generated history plus one lead of ours with a known phone, given one attempt.
    private func populated() throws -> (Workspace, total: Int64, lead: LeadID) {
        let workspace = try Workspace()
        let (total, lead) = try workspace.withLog { log, clock in
            try LeadHistoryGenerator.write(leads: 30, to: log, clock: clock, seed: 7)
            clock.advance(milliseconds: 7_200_000)
            let lead = try log.receive(knownLead(at: clock.now(), phone: Self.phone)).leadID
            clock.advance(milliseconds: 1000)
            try log.append([attempted(lead)])
            return (try log.count(), lead)
        }
        return (workspace, total, lead)
    }

    @Test func everyEventIsOneJSONObjectPerLineWithTheSpecKeysInAscendingSeq() throws {
        let (workspace, total, _) = try populated()
        let result = try workspace.leadledger("events")
        #expect(result.code == 0, "\(result)")
        let lines = try jsonLines(result)
        #expect(lines.count == Int(total))
        let keys: Set = ["seq", "stream", "version", "type", "schema_version", "recorded_at", "prev_hash", "hash", "data"]
        for line in lines {
            #expect(keys.isSubset(of: Set(line.keys)), "missing keys in \(line.keys.sorted())")
            #expect(line["data"] is [String: Any])
        }
        #expect(lines.compactMap { int($0["seq"]) } == Array(1...Int(total)))
        // The chain is visible: each line's prev_hash is the previous line's hash.
        for (previous, next) in zip(lines, lines.dropFirst()) {
            #expect(next["prev_hash"] as? String == previous["hash"] as? String)
        }
        // recorded_at is an ISO 8601 UTC time.
        #expect((lines.first?["recorded_at"] as? String).flatMap { Timestamp(iso8601: $0) } != nil)
    }

    @Test func limitPrintsOnlyTheOldestNEvents() throws {
        let (workspace, _, _) = try populated()
        let result = try workspace.leadledger("events", "--limit", "5")
        #expect(result.code == 0, "\(result)")
        #expect(try jsonLines(result).compactMap { int($0["seq"]) } == [1, 2, 3, 4, 5])
        let none = try workspace.leadledger("events", "--limit", "0")
        #expect(none.code == 0, "\(none)")
        #expect(none.stdout.isEmpty, "\(none)")
    }

    @Test func afterSeqStartsAfterThatSeq() throws {
        let (workspace, total, _) = try populated()
        let page = try workspace.leadledger("events", "--after-seq", "10", "--limit", "3")
        #expect(page.code == 0, "\(page)")
        #expect(try jsonLines(page).compactMap { int($0["seq"]) } == [11, 12, 13])
        let rest = try workspace.leadledger("events", "--after-seq", "10")
        #expect(try jsonLines(rest).compactMap { int($0["seq"]) } == Array(11...Int(total)))
        let past = try workspace.leadledger("events", "--after-seq", "\(total)")
        #expect(past.code == 0 && past.stdout.isEmpty, "\(past)")
    }

    @Test func typeFilterPrintsEverySyncFailedAndNothingElse() throws {
        let (workspace, _, _) = try populated()
        let expected = try workspace.withLog { log, _ in try log.events(EventQuery(type: .syncFailed, limit: 10_000)).map(\.seq) }
        #expect(!expected.isEmpty)
        let result = try workspace.leadledger("events", "--type", "SyncFailed")
        #expect(result.code == 0, "\(result)")
        let lines = try jsonLines(result)
        #expect(lines.allSatisfy { $0["type"] as? String == "SyncFailed" })
        #expect(lines.compactMap { int($0["seq"]) }.map(Int64.init) == expected)
    }

    @Test func leadFilterPrintsThatLeadsTimelineOnly() throws {
        let (workspace, _, lead) = try populated()
        let result = try workspace.leadledger("events", "--lead", lead.description)
        #expect(result.code == 0, "\(result)")
        let lines = try jsonLines(result)
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0["stream"] as? String == lead.description })
        #expect(lines.map { $0["type"] as? String } == ["LeadReceived", "SyncAttempted"])
        #expect(lines.compactMap { int($0["version"]) } == [1, 2])
        // The uppercase form of the id names the same lead.
        let upper = try workspace.leadledger("events", "--lead", lead.description.uppercased())
        #expect(upper.code == 0 && upper.lines.count == 2, "\(upper)")
    }

    @Test func filtersCombine() throws {
        let (workspace, _, lead) = try populated()
        let result = try workspace.leadledger("events", "--lead", lead.description, "--type", "SyncAttempted")
        #expect(result.code == 0, "\(result)")
        let lines = try jsonLines(result)
        #expect(lines.count == 1)
        #expect(lines.first?["type"] as? String == "SyncAttempted")
    }

    @Test func leadReceivedShowsTheDecryptedPersonalData() throws {
        let (workspace, _, lead) = try populated()
        let result = try workspace.leadledger("events", "--lead", lead.description, "--type", "LeadReceived")
        #expect(result.code == 0, "\(result)")
        let line = try #require(try jsonLines(result).first)
        #expect(field(line, "data", "personal", "phone") as? String == Self.phone)
        #expect(field(line, "data", "personal", "name") as? String == "Иван Петров")
        #expect(field(line, "data", "personal", "email") as? String == "ivan@example.ru")
        #expect(field(line, "data", "erased") == nil)
    }

    @Test func afterEraseTheLeadReceivedLineSaysErasedWithoutThePhoneAndTheChainStillVerifies() throws {
        let (workspace, total, lead) = try populated()
        let erase = try workspace.leadledger("erase", lead.description)
        #expect(erase.code == 0, "\(erase)")
        #expect(erase.stdout.contains("erased, recorded at seq \(total + 1)"), "\(erase)")

        let result = try workspace.leadledger("events", "--lead", lead.description)
        #expect(result.code == 0, "\(result)")
        let lines = try jsonLines(result)
        #expect(lines.map { $0["type"] as? String } == ["LeadReceived", "SyncAttempted", "LeadErased"])
        let received = try #require(lines.first)
        #expect(bool(field(received, "data", "erased")) == true)
        #expect(field(received, "data", "personal") is NSNull)
        #expect(!result.stdout.contains(Self.phone), "\(result)")
        #expect(!result.stdout.contains(String(Self.phone.dropFirst())), "\(result)")
        #expect(!result.stdout.contains("Иван"), "\(result)")

        let everything = try workspace.leadledger("events")
        #expect(!everything.stdout.contains(Self.phone))

        let verify = try workspace.leadledger("verify")
        #expect(verify.code == 0, "\(verify)")
        #expect(verify.stdout.contains("verify: ok, \(total + 1) events"), "\(verify)")

        let again = try workspace.leadledger("erase", lead.description)
        #expect(again.code == 0, "\(again)")
        #expect(again.stdout.contains("already erased"), "\(again)")
        #expect(try workspace.leadledger("verify").stdout.contains("verify: ok, \(total + 1) events"))
    }

    @Test func eraseOfAnUnknownLeadIsARuntimeErrorAndAnInvalidIdAUsageError() throws {
        let (workspace, _, _) = try populated()
        let unknown = try workspace.leadledger("erase", LeadID.make(at: Workspace.defaultStart).description)
        #expect(unknown.code == 3, "\(unknown)")
        let invalid = try workspace.leadledger("erase", "notauuid")
        #expect(invalid.code == 2, "\(invalid)")
    }

    @Test func smallPagesPrintTheSameLinesAsOneBigPage() throws {
        let (workspace, total, _) = try populated()
        let whole = try workspace.leadledger("events")
        let paged = try workspace.leadledger(["events"], environment: ["LEADLEDGER_MAX_PAGE_SIZE": "7"])
        #expect(paged.code == 0, "\(paged)")
        #expect(paged.lines.count == Int(total))
        #expect(paged.stdout == whole.stdout)
        let limited = try workspace.leadledger(["events", "--limit", "20"], environment: ["LEADLEDGER_MAX_PAGE_SIZE": "7"])
        #expect(try jsonLines(limited).compactMap { int($0["seq"]) } == Array(1...20))
    }

    @Test(arguments: [
        ["--lead", "notauuid"], ["--type", "NoSuchEvent"], ["--limit", "-1"], ["--after-seq", "-5"], ["--after-seq", "x"],
        ["--from", "yesterday"],
    ])
    func badFilterArgumentsAreUsageErrorsWithExitTwo(_ arguments: [String]) throws {
        let (workspace, _, _) = try populated()
        let result = try workspace.leadledger(["events"] + arguments)
        #expect(result.code == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(!result.stderr.isEmpty)
    }
}
