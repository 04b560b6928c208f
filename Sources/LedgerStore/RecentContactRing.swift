import Foundation
import LedgerCore

/// The contact fingerprints of the newest leads, in arrival order, in a ring of fixed capacity, with a chain per
/// fingerprint: what a live double-submission check asks ("this contact, since ten seconds ago") answered from memory.
///
/// Why: indexing fingerprints in the log cost every ingest commit one random B-tree page per contact (two per lead),
/// about half of the pages, and of the bytes written to the WAL, per lead (docs/BENCHMARKS.md). The ring is a read
/// model of the log's recent `lead_key` rows; the log stays the truth: every match is confirmed there before it
/// counts, so an entry whose lead was erased, or whose transaction rolled back, can cost a lookup but never swallow
/// a lead.
///
/// Not thread-safe; `RecentContacts` holds it behind a lock.
struct RecentContactRing: Sendable {
    /// One fingerprint of one lead. `key` is the fingerprint's first 64 bits; a collision only costs a confirmation.
    struct Contact: Sendable, Equatable {
        var key: UInt64
        var lead: LeadID
        /// When the lead id was minted (its arrival), in Unix milliseconds.
        var millis: Int64
    }

    private struct Slot: Sendable {
        var contact: Contact
        /// Absolute index of the previous contact with the same key; below `front` means none left.
        var previous: Int
    }

    let capacity: Int
    private var slots: [Slot] = []
    private var latest: [UInt64: Int] = [:]
    /// Absolute indexes: `front` is the oldest live contact, `back` the next to be written.
    private var front = 0
    private var back = 0
    /// Every lead minted at or after this instant (ms) and written at or before `coveredSeq` is in the ring, unless
    /// it has no contact. Eviction raises it; a question about an earlier instant is not the ring's to answer.
    private(set) var horizon: Int64
    /// The log position the ring has seen up to.
    var coveredSeq: Int64
    /// The newest contact's instant (ms); eviction counts back from it.
    private(set) var newest: Int64 = .min

    init(capacity: Int, horizon: Int64, coveredSeq: Int64) {
        precondition(capacity > 0, "recent contact capacity must be positive")
        self.capacity = capacity
        self.horizon = horizon
        self.coveredSeq = coveredSeq
    }

    var count: Int { back - front }

    /// Adds a contact; a full ring forgets its oldest first. A contact older than the horizon is not needed.
    mutating func append(_ contact: Contact) {
        guard contact.millis >= horizon else { return }
        if count == capacity { evictFront() }
        let slot = Slot(contact: contact, previous: latest[contact.key] ?? -1)
        if slots.count < capacity {
            slots.append(slot)
        } else {
            slots[back % capacity] = slot
        }
        latest[contact.key] = back
        back += 1
        newest = max(newest, contact.millis)
    }

    /// Declares that contacts before `instant` (ms) may be missing (a load that stopped at its row limit).
    mutating func raiseHorizon(to instant: Int64) {
        horizon = max(horizon, instant)
    }

    /// Forgets contacts from the front while they are older than `cutoff` (ms).
    mutating func evict(olderThan cutoff: Int64) {
        while front < back && slots[front % capacity].contact.millis < cutoff { evictFront() }
    }

    private mutating func evictFront() {
        let contact = slots[front % capacity].contact
        if latest[contact.key] == front { latest[contact.key] = nil }
        horizon = max(horizon, contact.millis + 1)
        front += 1
    }

    /// Leads with `key` minted at or after `since` (ms), newest arrival first, at most `limit`.
    func leads(key: UInt64, since: Int64, limit: Int) -> [LeadID] {
        var found: [LeadID] = []
        var index = latest[key] ?? -1
        while index >= front && found.count < limit {
            let slot = slots[index % capacity]
            if slot.contact.millis >= since { found.append(slot.contact.lead) }
            index = slot.previous
        }
        return found
    }

    /// The ring's key for a fingerprint (64 hex digits): its first 64 bits; nil for anything else.
    static func key(_ fingerprint: String?) -> UInt64? {
        guard let fingerprint, fingerprint.utf8.count >= 16 else { return nil }
        return UInt64(fingerprint.prefix(16), radix: 16)
    }

    /// When `lead` was minted, in Unix milliseconds: the first 48 bits of its UUIDv7.
    static func millis(_ lead: LeadID) -> Int64 {
        let bytes = lead.uuid.uuid
        let parts = [bytes.0, bytes.1, bytes.2, bytes.3, bytes.4, bytes.5]
        return Int64(parts.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }
}
