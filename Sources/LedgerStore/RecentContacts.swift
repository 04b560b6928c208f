import GRDB
import LedgerCore
import Synchronization

/// The log's recent contacts in memory (`RecentContactRing`), kept level with the log by the receiving transaction:
/// read from the log on first use, then fed with what this process commits, and with what other processes (an
/// import, a second writer) appended, read back by `seq` at the start of the next transaction.
final class RecentContacts: Sendable {
    private let ring = Mutex<RecentContactRing?>(nil)
    /// How far behind its newest contact the ring reaches (ms): the window and a slack of as much again (at least
    /// 1 s), so a lead minted a little before one already written still finds its window covered.
    let reach: Int64
    let slack: Int64
    let capacity: Int
    /// A gap of more events than this is not read event by event: the ring is loaded afresh from `lead_key`.
    let catchUpLimit: Int64

    init(windowSeconds: Int, capacity: Int, catchUpLimit: Int) {
        let window = Int64(max(0, windowSeconds)) * 1000
        slack = max(window, 1000)
        reach = window + slack
        self.capacity = max(1, capacity)
        self.catchUpLimit = Int64(max(0, catchUpLimit))
    }

    /// Brings the ring level with the log's `head` (its last seq) at the start of a receiving transaction, before it
    /// writes anything. `since` (ms) is the earliest window start the batch asks about; a first load reaches back
    /// from there. Returns `head`.
    func level(_ db: Database, head: Int64, since: Int64) throws -> Int64 {
        try ring.withLock { ring in
            guard var current = ring, head >= current.coveredSeq, head - current.coveredSeq <= catchUpLimit else {
                ring = try load(db, cutoff: since - slack, head: head)
                return
            }
            ring = nil  // so `current` owns its buffers and grows in place
            if head > current.coveredSeq { try catchUp(&current, db, through: head) }
            ring = current
        }
        return head
    }

    /// Leads that may be `contacts`' earlier submission since `since` (ms), from the ring and from `written` (this
    /// transaction's own, not yet in the ring), newest first; nil when the ring does not reach back that far.
    func candidates(_ keys: [UInt64], since: Int64, written: [RecentContactRing.Contact], limit: Int) -> [LeadID]? {
        let remembered: [LeadID]? = ring.withLock { ring in
            guard let ring, since >= ring.horizon else { return nil }
            return keys.flatMap { ring.leads(key: $0, since: since, limit: limit) }
        }
        guard let remembered else { return nil }
        let fresh = written.filter { keys.contains($0.key) && $0.millis >= since }.map(\.lead)
        var seen = Set<LeadID>()
        let unique = (fresh + remembered).filter { seen.insert($0).inserted }
        return Array(unique.sorted { $0.description > $1.description }.prefix(limit))
    }

    /// After a commit: adds what the transaction wrote, if the ring is still where that transaction left it (else a
    /// later transaction already read those events back from the log).
    func committed(_ written: [RecentContactRing.Contact], after start: Int64, through end: Int64) {
        ring.withLock { ring in
            guard var current = ring, current.coveredSeq == start else { return }
            ring = nil
            for contact in written { current.append(contact) }
            current.coveredSeq = end
            current.evict(olderThan: current.newest - reach)
            ring = current
        }
    }

    /// The leads of `lead_key` minted since `cutoff`, newest `capacity` rows at most, oldest first.
    private func load(_ db: Database, cutoff: Int64, head: Int64) throws -> RecentContactRing {
        var loaded = RecentContactRing(capacity: capacity, horizon: cutoff, coveredSeq: head)
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT lead_id, phone_fingerprint, email_fingerprint FROM lead_key
                WHERE lead_id >= ? ORDER BY lead_id DESC LIMIT ?
                """,
            arguments: [LeadID.lowerBound(at: Timestamp(millisecondsSinceEpoch: cutoff)), capacity])
        for row in rows.reversed() { Self.append(row, to: &loaded) }
        if rows.count == capacity, let oldest = rows.last.flatMap({ LeadID($0[0] as String) }) {
            loaded.raiseHorizon(to: RecentContactRing.millis(oldest) + 1)
        }
        return loaded
    }

    /// Reads the leads appended after the ring's position, by any process, in log order.
    private func catchUp(_ ring: inout RecentContactRing, _ db: Database, through head: Int64) throws {
        let statement = try db.cachedStatement(
            sql: """
                SELECT e.stream, k.phone_fingerprint, k.email_fingerprint FROM event e
                JOIN lead_key k ON k.lead_id = e.stream
                WHERE e.seq > ? AND e.seq <= ? AND e.type = 'LeadReceived' ORDER BY e.seq
                """)
        for row in try Row.fetchAll(statement, arguments: [ring.coveredSeq, head]) { Self.append(row, to: &ring) }
        ring.coveredSeq = head
        ring.evict(olderThan: ring.newest - reach)
    }

    private static func append(_ row: Row, to ring: inout RecentContactRing) {
        guard let lead = LeadID(row[0] as String) else { return }
        for contact in contacts(lead, phone: row[1], email: row[2]) { ring.append(contact) }
    }

    /// The ring entries of one lead: one per fingerprint it has.
    static func contacts(_ lead: LeadID, phone: String?, email: String?) -> [RecentContactRing.Contact] {
        let millis = RecentContactRing.millis(lead)
        return [phone, email].compactMap { RecentContactRing.key($0) }.map {
            RecentContactRing.Contact(key: $0, lead: lead, millis: millis)
        }
    }
}
