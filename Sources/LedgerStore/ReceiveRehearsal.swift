import LedgerCore

/// What `receive` would answer for a sequence of leads, worked out without writing: `import --dry-run`.
///
/// Why not run `receive` in a transaction and roll it back: that holds the append lock, and `serve` would wait (or
/// answer 503 to live leads) for as long as a rehearsal of 100,000 rows takes. So the log is only read
/// (`EventStore.duplicates`, each lead against the log alone), and what `receive` would have seen of the leads before
/// it in the same run (they are in the log by then) is kept here, in memory: their idempotency keys, and their
/// contact fingerprints with form and lead id. The order of the rules (the key, then the window), the fingerprints
/// and the id-range window are `receive`'s own (`idUpperBound`), so a rehearsal and the real run agree;
/// `ImportCommandTests` checks that they print the same summary.
public struct ReceiveRehearsal: Sendable {
    private struct Written: Sendable {
        var leadID: String
        var formID: String?
    }

    private var keys: Set<String> = []
    private var byContact: [String: [Written]] = [:]

    public init() {}

    /// One answer per lead, in order: nil when `receive` would write it, else why it would not.
    public mutating func rehearse(_ leads: [NewLead], on log: any EventStore) async throws(StoreError) -> [DuplicateReason?] {
        var prepared: [PreparedLead] = []
        for lead in leads { prepared.append(try log.prepare(lead)) }
        let againstLog = try await log.duplicates(of: prepared)
        var answers: [DuplicateReason?] = []
        for (lead, logAnswer) in zip(prepared, againstLog) {
            let answer = answer(lead, logAnswer: logAnswer)
            if answer == nil { remember(lead) }
            answers.append(answer)
        }
        return answers
    }

    /// `receive`'s rules in `receive`'s order: the key (in the log, or earlier in this run), then the window.
    private func answer(_ lead: PreparedLead, logAnswer: DuplicateReason?) -> DuplicateReason? {
        if let key = lead.event.idempotencyKey, keys.contains(key) || logAnswer == .idempotencyKey {
            return .idempotencyKey
        }
        if let since = lead.duplicateWindowStart {
            if earlierInThisRun(lead, since: since, until: lead.duplicateWindowEnd) { return .doubleSubmission }
            if logAnswer == .doubleSubmission { return .doubleSubmission }
        }
        return nil
    }

    /// The window rule over the leads this run would have written, by the same id-text bounds the SQL uses.
    private func earlierInThisRun(_ lead: PreparedLead, since: Timestamp, until: Timestamp?) -> Bool {
        let lower = LeadID.lowerBound(at: since)
        let upper = EventLog.idUpperBound(until)
        return Self.contactKeys(lead).contains { contact in
            byContact[contact]?.contains { $0.formID == lead.event.formID && $0.leadID >= lower && $0.leadID < upper }
                ?? false
        }
    }

    private mutating func remember(_ lead: PreparedLead) {
        if let key = lead.event.idempotencyKey { keys.insert(key) }
        // `receive` never matches a spam lead as the earlier half of a double submission.
        guard lead.event.spam == nil else { return }
        let written = Written(leadID: lead.event.leadID.description, formID: lead.event.formID)
        for contact in Self.contactKeys(lead) { byContact[contact, default: []].append(written) }
    }

    private static func contactKeys(_ lead: PreparedLead) -> [String] {
        [lead.phoneFingerprint.map { "p:" + $0 }, lead.emailFingerprint.map { "e:" + $0 }].compactMap { $0 }
    }
}
