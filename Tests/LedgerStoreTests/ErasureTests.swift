import Foundation
import GRDB
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

struct ErasureTests {
    @Test func personalDataIsReadableUntilErasedThenGoneButTheChainVerifies() throws {
        let fixture = try TemporaryLog()
        let lead = sampleLead(7, at: fixture.clock.now())
        let receipt = try fixture.log.receive(lead)
        let received = try receivedEvent(fixture.log, receipt.leadID)
        #expect(try fixture.log.personalData(of: received) == .available(lead.personal))

        let outcome = try fixture.log.erase(receipt.leadID, reason: "consent withdrawn")
        #expect(!outcome.alreadyErased)
        #expect(outcome.residue == .none)
        #expect(try fixture.log.personalData(of: received) == .erased)
        #expect(try fixture.log.verify().isIntact)
        #expect(
            try fixture.log.events(EventQuery(stream: receipt.leadID.description)).map(\.type) == ["LeadReceived", "LeadErased"])
    }

    @Test func erasingTwiceRecordsOnce() throws {
        let fixture = try TemporaryLog()
        let receipt = try fixture.log.receive(sampleLead(at: fixture.clock.now()))
        let first = try fixture.log.erase(receipt.leadID, reason: "asked")
        let second = try fixture.log.erase(receipt.leadID, reason: "asked again")
        #expect(second.alreadyErased)
        #expect(second.event == first.event)
        #expect(try fixture.log.count() == 2)
    }

    @Test func erasingAnUnknownLeadIsAnErrorAndWritesNothing() throws {
        let fixture = try TemporaryLog()
        #expect {
            try fixture.log.erase(LeadID.make(at: fixture.clock.now()), reason: "x")
        } throws: { ($0 as? StoreError)?.code == .notFound }
        #expect(try fixture.log.count() == 0)
    }

    /// Erasure's promise: the destroyed key must not survive in SQLite free pages or the WAL.
    @Test func theDestroyedKeyLeavesNoCopyInTheFileOrTheWAL() throws {
        let fixture = try TemporaryLog()
        let receipt = try fixture.log.receive(sampleLead(at: fixture.clock.now()))
        let key = try #require(
            try fixture.log.database.read { db in
                try Data.fetchOne(db, sql: "SELECT key FROM lead_key WHERE lead_id = ?", arguments: [receipt.leadID.description])
            })
        // More leads so the key's page is written to the main file by a checkpoint, not only to the WAL.
        for number in 1...50 { _ = try fixture.log.receive(sampleLead(number, at: fixture.clock.now())) }
        try fixture.log.checkpointTruncate()
        #expect(try bytesOnDisk(fixture.path).contains(key), "the search must find the key before erasure")

        _ = try fixture.log.erase(receipt.leadID, reason: "consent withdrawn")
        #expect(try !bytesOnDisk(fixture.path).contains(key))
    }

    private func receivedEvent(_ log: EventLog, _ lead: LeadID) throws -> LeadReceived {
        let first = try #require(try log.events(EventQuery(stream: lead.description)).first)
        guard case .leadReceived(let received) = try first.decode() else { throw FixtureError(message: "not LeadReceived") }
        return received
    }

    private func bytesOnDisk(_ path: String) throws -> Data {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        if let wal = try? Data(contentsOf: URL(fileURLWithPath: path + "-wal")) { data.append(wal) }
        return data
    }
}

extension Data {
    func contains(_ needle: Data) -> Bool { range(of: needle) != nil }
}
