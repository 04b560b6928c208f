import LedgerAmoCRM
import LedgerCore

/// Decides, for a batch of leads whose create outcome is unknown, which are in AmoCRM, which are provably not, and
/// which cannot be told yet: the pure core of reconciliation.
///
/// Every lead is created with `created_at` = the second its form arrived and with its ledger id in the name (and in a
/// custom field when one is mapped). A list of the leads created in a window of seconds comes from AmoCRM's database,
/// not from the full-text index behind `query`, so a list read to its last page shows every lead of that window: a
/// ledger id not among them was not created. A list cut short (the page budget, a failed call, a refused filter) or
/// one that shows leads from outside its window (a filter the account ignores) proves nothing about absence; only a
/// match proves anything, and a match anywhere is proof of presence.
public struct BatchReconciliation: Sendable, Equatable {
    /// A lead to reconcile: its ledger id and the `created_at` it was sent with.
    public struct Lead: Sendable, Equatable {
        public var ledgerID: String
        public var createdAt: Int64

        public init(ledgerID: String, createdAt: Int64) {
            self.ledgerID = ledgerID
            self.createdAt = createdAt
        }

        public init(_ lead: OutgoingLead) {
            self.init(ledgerID: lead.requestID, createdAt: lead.receivedAt.millisecondsSinceEpoch / 1000)
        }
    }

    /// What one window's list showed.
    public struct WindowResult: Sendable, Equatable {
        public var window: ClosedRange<Int64>
        public var leads: [ListedLead]
        /// The last page was read.
        public var readToEnd: Bool
        /// Why the list stopped early, when it did.
        public var stoppedBecause: String?

        public init(window: ClosedRange<Int64>, leads: [ListedLead], readToEnd: Bool, stoppedBecause: String? = nil) {
            self.window = window
            self.leads = leads
            self.readToEnd = readToEnd
            self.stoppedBecause = stoppedBecause
        }

        /// Read to the end and every lead inside the window: the list is the whole truth about the window.
        var isComplete: Bool {
            readToEnd && leads.allSatisfy { lead in lead.createdAt.map(window.contains) ?? false }
        }

        /// Why absence cannot be concluded from this window, or nil when it can.
        var doubt: String? {
            if let stoppedBecause { return stoppedBecause }
            if !readToEnd { return "the list had more pages than the reconcile budget" }
            if !isComplete { return "the list showed leads outside the created_at filter: the account ignores it" }
            return nil
        }
    }

    public enum Verdict: Sendable, Equatable {
        /// In AmoCRM: the lowest CRM id carrying the ledger id (the oldest), and how many carry it (above 1: a
        /// duplicate exists already and is visible).
        case found(crmLeadID: Int64, crmContactID: Int64?, copies: Int)
        /// A complete list of its window does not hold it: it was not created, and sending it cannot duplicate it.
        case absent
        /// Cannot be told: keep the outcome unknown.
        case uncertain(reason: String)
    }

    /// Seconds added on each side of a window, so a second rounded differently by AmoCRM still falls inside.
    public static let slackSeconds: Int64 = 1
    /// Leads further apart than this go into different windows, unless that would need more windows than pages.
    public static let windowGapSeconds: Int64 = 60

    /// The `created_at` windows to list for `leads`, at most `maxWindows` of them: the leads' seconds sorted, split at
    /// the widest gaps above `windowGapSeconds`. A batch of recent leads is one narrow window; a backlog drained after
    /// an outage spans hours, and one window over it would list every lead of those hours.
    public static func windows(for leads: [Lead], maxWindows: Int) -> [ClosedRange<Int64>] {
        let seconds = Set(leads.map(\.createdAt)).sorted()
        guard let first = seconds.first, let last = seconds.last else { return [] }
        var gaps: [(index: Int, width: Int64)] = []
        for index in seconds.indices.dropLast() {
            let width = seconds[index + 1] - seconds[index]
            if width > windowGapSeconds { gaps.append((index, width)) }
        }
        gaps.sort { $0.width != $1.width ? $0.width > $1.width : $0.index < $1.index }
        let cuts = gaps.prefix(max(0, maxWindows - 1)).map(\.index).sorted()
        var windows: [ClosedRange<Int64>] = []
        var start = first
        for cut in cuts {
            windows.append((start - slackSeconds)...(seconds[cut] + slackSeconds))
            start = seconds[cut + 1]
        }
        windows.append((start - slackSeconds)...(last + slackSeconds))
        return windows
    }

    /// The verdict for each lead, by ledger id.
    public static func verdicts(for leads: [Lead], results: [WindowResult]) -> [String: Verdict] {
        let listed = results.flatMap(\.leads)
        var verdicts: [String: Verdict] = [:]
        for lead in leads {
            let matches = listed.filter { $0.mentions(lead.ledgerID) }
            if let oldest = matches.min(by: { $0.id < $1.id }) {
                let copies = Set(matches.map(\.id)).count
                verdicts[lead.ledgerID] = .found(crmLeadID: oldest.id, crmContactID: oldest.mainContactID, copies: copies)
                continue
            }
            guard let result = results.first(where: { $0.window.contains(lead.createdAt) }) else {
                verdicts[lead.ledgerID] = .uncertain(reason: "its window was not listed: the reconcile budget ran out")
                continue
            }
            verdicts[lead.ledgerID] = result.doubt.map { .uncertain(reason: $0) } ?? .absent
        }
        return verdicts
    }
}
