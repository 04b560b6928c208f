import LedgerCore
import LedgerStore
import PostgresNIO

/// The leads a receiving batch may be a double submission of: the log's non-spam leads with any of the batch's
/// contact fingerprints in the widest of its windows (one indexed read, newest first, at most `limit` rows), and
/// the leads the batch itself writes as it goes. The rule is the SQLite log's: the newest lead with the same phone
/// or email fingerprint and the same form whose id (minted at arrival) lies in the window.
struct DoubleSubmissionCandidates {
    struct Candidate {
        var leadID: String
        var phone: String?
        var email: String?
        var formID: String?
        var receipt: LeadReceipt

        func matches(_ lead: PreparedLead, lower: String, upper: String) -> Bool {
            guard leadID >= lower, leadID < upper, formID == lead.event.formID else { return false }
            return (phone != nil && phone == lead.phoneFingerprint) || (email != nil && email == lead.emailFingerprint)
        }
    }

    private var stored: [Candidate]
    /// False when the read stopped at its limit: a lead matching none of the rows read may match an older one.
    private let complete: Bool
    private var written: [Candidate] = []

    static func read(for batch: [PreparedLead], limit: Int, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> DoubleSubmissionCandidates
    {
        let checked = batch.filter(Self.isChecked)
        guard let since = checked.compactMap(\.duplicateWindowStart).min() else {
            return DoubleSubmissionCandidates(stored: [], complete: true)
        }
        let phones = Array(Set(checked.compactMap(\.phoneFingerprint)))
        let emails = Array(Set(checked.compactMap(\.emailFingerprint)))
        let floor = LeadID.lowerBound(at: since)
        let rows = try await connection.query(
            readQuery(phones: phones, emails: emails, floor: floor, limit: limit), logger: logger)
        var stored: [Candidate] = []
        var read = 0
        var truncated = false
        for try await row in rows.decode((String, String?, String?, String?, Bool, Int64, String, Bool).self) {
            read += 1
            truncated = truncated || row.7
            // A spam lead is never the earlier half of a double submission.
            if !row.4 { stored.append(try candidate((row.0, row.1, row.2, row.3, row.5, row.6))) }
        }
        return DoubleSubmissionCandidates(stored: stored, complete: read < limit && !truncated)
    }

    /// The newest leads read per fingerprint. A person rarely sends more forms than this within a window; when one
    /// does (or a bot repeats one phone), the read says so and each lead it leaves unmatched is asked about exactly.
    static let perFingerprint = 32

    /// The batch's one read: for each fingerprint, its newest `perFingerprint` leads, each through its own column's
    /// index read backwards (fingerprint, then lead id), then the events of those in the window. The window bound
    /// is applied after that read, not in it: given `lead_id >= floor` the planner judged by statistics that never
    /// reach the newest ids, believed the window nearly empty, and scanned it by the primary key for every batch, a
    /// cost that grew with the ingest rate until `serve` fell behind at 1,000 leads/s (docs/BENCHMARKS.md). A row
    /// says `truncated` when its fingerprint's read ended still inside the window.
    static func readQuery(phones: [String], emails: [String], floor: String, limit: Int) -> PostgresQuery {
        """
        WITH k AS MATERIALIZED (
            SELECT l.* FROM unnest(\(phones)::text[]) AS f(fingerprint) CROSS JOIN LATERAL (
                SELECT s.*, count(*) OVER () = \(perFingerprint) AND min(s.lead_id) OVER () >= \(floor) AS truncated
                FROM (
                    SELECT lead_id, phone_fingerprint, email_fingerprint FROM lead_key
                    WHERE phone_fingerprint = f.fingerprint ORDER BY lead_id DESC LIMIT \(perFingerprint)
                ) s
            ) l
            UNION ALL
            SELECT l.* FROM unnest(\(emails)::text[]) AS f(fingerprint) CROSS JOIN LATERAL (
                SELECT s.*, count(*) OVER () = \(perFingerprint) AND min(s.lead_id) OVER () >= \(floor) AS truncated
                FROM (
                    SELECT lead_id, phone_fingerprint, email_fingerprint FROM lead_key
                    WHERE email_fingerprint = f.fingerprint ORDER BY lead_id DESC LIMIT \(perFingerprint)
                ) s
            ) l
        )
        SELECT k.lead_id, k.phone_fingerprint, k.email_fingerprint, (e.data::jsonb) ->> 'form_id',
            (e.data::jsonb) ->> 'spam' IS NOT NULL, e.seq, e.hash, k.truncated
        FROM k JOIN event e ON e.stream = k.lead_id AND e.version = 1
        WHERE k.lead_id >= \(floor)
        ORDER BY k.lead_id DESC LIMIT \(limit)
        """
    }

    /// The receipt of the earlier submission `lead` repeats, or nil.
    func earlier(than lead: PreparedLead, _ connection: PostgresConnection, _ logger: Logger) async throws
        -> LeadReceipt?
    {
        guard Self.isChecked(lead), let since = lead.duplicateWindowStart else { return nil }
        let lower = LeadID.lowerBound(at: since)
        let upper = EventLog.idUpperBound(lead.duplicateWindowEnd)
        // The newest match, looked for in both lists in place: this runs for every lead of every batch.
        var found: Candidate?
        for candidate in [stored, written].joined()
        where candidate.matches(lead, lower: lower, upper: upper) && candidate.leadID > (found?.leadID ?? "") {
            found = candidate
        }
        if let found { return found.receipt }
        guard !complete else { return nil }
        return try await Self.newest(matching: lead, lower: lower, upper: upper, connection, logger)
    }

    /// Remembers a lead the batch wrote; a spam lead is never the earlier half of a double submission.
    mutating func written(_ lead: PreparedLead, _ receipt: LeadReceipt) {
        guard lead.event.spam == nil else { return }
        written.append(
            Candidate(
                leadID: lead.event.leadID.description, phone: lead.phoneFingerprint, email: lead.emailFingerprint,
                formID: lead.event.formID,
                receipt: LeadReceipt(
                    leadID: receipt.leadID, seq: receipt.seq, hash: receipt.hash, duplicateReason: .doubleSubmission)))
    }

    private static func isChecked(_ lead: PreparedLead) -> Bool {
        lead.duplicateWindowStart != nil && (lead.phoneFingerprint != nil || lead.emailFingerprint != nil)
    }

    /// The exact question for one lead, asked only when the batch's read was cut short.
    private static func newest(
        matching lead: PreparedLead, lower: String, upper: String, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> LeadReceipt? {
        let rows = try await connection.query(
            """
            WITH k AS MATERIALIZED (
                SELECT lead_id, phone_fingerprint, email_fingerprint FROM lead_key
                WHERE phone_fingerprint = \(lead.phoneFingerprint) AND lead_id >= \(lower) AND lead_id < \(upper)
                UNION
                SELECT lead_id, phone_fingerprint, email_fingerprint FROM lead_key
                WHERE email_fingerprint = \(lead.emailFingerprint) AND lead_id >= \(lower) AND lead_id < \(upper)
            )
            SELECT k.lead_id, k.phone_fingerprint, k.email_fingerprint, (e.data::jsonb) ->> 'form_id', e.seq, e.hash
            FROM k JOIN event e ON e.stream = k.lead_id AND e.version = 1
            WHERE (e.data::jsonb) ->> 'form_id' IS NOT DISTINCT FROM \(lead.event.formID)
                AND (e.data::jsonb) ->> 'spam' IS NULL
            ORDER BY k.lead_id DESC LIMIT 1
            """, logger: logger)
        for try await row in rows.decode((String, String?, String?, String?, Int64, String).self) {
            return try candidate(row).receipt
        }
        return nil
    }

    private static func candidate(_ row: (String, String?, String?, String?, Int64, String)) throws -> Candidate {
        guard let leadID = LeadID(row.0) else {
            throw StoreError(.corrupt, "lead_key row \(row.0) is not a lead id")
        }
        return Candidate(
            leadID: row.0, phone: row.1, email: row.2, formID: row.3,
            receipt: LeadReceipt(leadID: leadID, seq: row.4, hash: row.5, duplicateReason: .doubleSubmission))
    }
}
