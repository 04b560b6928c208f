import LedgerAmoCRM
import LedgerCore
import LedgerProjections
import LedgerStore
import Logging

/// A delivered lead's note, its attempt recorded, waiting for its call.
struct OwedNote: Sendable {
    var attempt: NoteAttempted
    var text: String
    /// Unknown outcomes in a row before this attempt; at `reconcileChecks` a still unknown note is given up.
    var unknownStreak: Int
}

/// The notes side of the sync loop: the comment, page URL and extra form fields of every delivered lead reach its CRM
/// lead, whether the lead was created, matched by duplicate control (`merged`) or found by reconciliation.
///
/// Each note has attempts like a lead: `NoteAttempted` before the call, `NoteAdded` or `NoteFailed` after it, retried
/// on the lead schedule for 429, 5xx, timeouts and lost replies. A note whose outcome is unknown is looked for on its
/// CRM lead (`NoteListReply`, by the ledger id on its last line) before it is sent again.
extension SyncEngine {
    /// The attempt for `lead`'s note on `crmLeadID`, or nil when every value has a custom field (nothing to note).
    func noteAttempt(for lead: OutgoingLead, crmLeadID: Int64, attempt: Int = 1) -> OwedNote? {
        guard let text = LeadNoteRequest.text(for: lead, mapping: configuration.mapping) else { return nil }
        let noteAttempt = NoteAttempted(
            leadID: lead.leadID, attempt: attempt, attemptID: UUIDv7.make(at: clock.now()).description, crmLeadID: crmLeadID)
        return OwedNote(attempt: noteAttempt, text: text, unknownStreak: 0)
    }

    /// One call for the notes whose attempts are recorded; their outcomes appended after it.
    func sendNotes(_ owed: [OwedNote]) async throws {
        guard !owed.isEmpty else { return }
        // Built before the pacer's slot is taken: the slot records when the call goes out, and it should.
        let body = LeadNoteRequest.body(
            notes: owed.map { (requestID: $0.attempt.leadID.description, crmLeadID: $0.attempt.crmLeadID, text: $0.text) })
        let reply = await paced { await $0.addNotes(body) }
        noteBreakerSignal(CircuitBreaker.Signal(reply))
        var noteIDs: [String: Int64] = [:]
        if case .added(let ids) = reply { noteIDs = ids }
        let outcomes = owed.map { note in
            let requestID = note.attempt.leadID.description
            return noteOutcome(
                note, reply.outcome(requestID: requestID, crmLeadID: note.attempt.crmLeadID), noteID: noteIDs[requestID])
        }
        try await appendOutcomes(outcomes)
    }

    /// Notes due again: those whose outcome was unknown are looked for on their CRM leads first; found ones are added,
    /// absent ones are sent, undecided ones wait for the next check. Returns how many notes got an outcome.
    func retryNotes(at now: Timestamp) async throws -> Int {
        let due = try NoteQueue(store: runner.store).due(at: now, limit: configuration.batchSize)
        guard !due.isEmpty else { return 0 }
        var owed: [OwedNote] = []
        var settled: [PendingEvent] = []
        /// A note that can no longer be composed ends with an attempt and its reason, never sent.
        func giveUp(_ entry: NoteQueueEntry, _ reason: String) {
            let attempt = NoteAttempted(
                leadID: entry.leadID, attempt: entry.attempts + 1, attemptID: UUIDv7.make(at: now).description,
                crmLeadID: entry.crmLeadID)
            settled += [PendingEvent(.noteAttempted(attempt)), noteFailure(attempt, .rejected, reason, retryAt: nil)]
        }
        for entry in due {
            guard case .available(let lead) = try await outgoing(entry.leadID) else {
                giveUp(entry, "personal data erased before the note was added")
                continue
            }
            guard var note = noteAttempt(for: lead, crmLeadID: entry.crmLeadID, attempt: entry.attempts + 1) else {
                giveUp(entry, "nothing left to note: every value now has a custom field")
                continue
            }
            note.unknownStreak = entry.unknownStreak
            owed.append(note)
        }
        try await appendOutcomes(settled + owed.map { PendingEvent(.noteAttempted($0.attempt)) })
        let toCheck = owed.filter { note in
            due.first { $0.leadID == note.attempt.leadID }?.lastErrorClass.map(AttemptDecision.requiresReconciliation) ?? false
        }
        let checkedIDs = Set(toCheck.map(\.attempt.leadID))
        var sending = owed.filter { !checkedIDs.contains($0.attempt.leadID) }
        if !toCheck.isEmpty {
            let found = await notesOnCRMLeads(Set(toCheck.map(\.attempt.crmLeadID)))
            var outcomes: [PendingEvent] = []
            for note in toCheck {
                switch found {
                case .some(let notes):
                    let requestID = note.attempt.leadID.description
                    if let listed = notes.first(where: {
                        $0.entityID == note.attempt.crmLeadID && LeadNoteRequest.carries(requestID, in: $0.text)
                    }) {
                        outcomes.append(added(note.attempt, noteID: listed.id))
                    } else {
                        sending.append(note)
                    }
                case .none:
                    outcomes.append(
                        noteOutcome(note, .unknownOutcome(reason: "the note list could not be read to the end", httpStatus: nil)))
                }
            }
            try await appendOutcomes(outcomes)
        }
        try await sendNotes(sending)
        return due.count
    }

    /// Note attempts a stop left without an outcome: each becomes an unknown outcome due at once, so the next pass
    /// looks for the note before it could add it twice.
    func recoverOrphanedNotes() async throws -> Int {
        var recovered = 0
        while true {
            let orphans = try NoteQueue(store: runner.store).entries(in: .inFlight, limit: 500)
            guard !orphans.isEmpty else { return recovered }
            let now = clock.now()
            _ = try await log.append(
                orphans.map { entry in
                    PendingEvent(
                        .noteFailed(
                            NoteFailed(
                                leadID: entry.leadID, attemptID: entry.inFlightAttemptID ?? "unknown",
                                attempt: max(1, entry.attempts),
                                errorClass: .unknownOutcome, httpStatus: nil,
                                message:
                                    "the reactor stopped during this note attempt; checking the lead's notes before resending",
                                retryable: true, nextAttemptAt: now)))
                })
            recovered += orphans.count
            try await runner.catchUp()
        }
    }

    /// Every common note on `crmLeadIDs`, read to the end within `reconcilePages` list calls; nil when the lists could
    /// not be read to the end (a failure or the page bound), which proves nothing absent.
    private func notesOnCRMLeads(_ crmLeadIDs: Set<Int64>) async -> [ListedNote]? {
        let ids = crmLeadIDs.sorted()
        var notes: [ListedNote] = []
        var budget = configuration.reconcilePages
        for chunk in stride(from: 0, to: ids.count, by: AmoCRMAPI.maxNotesPerRequest) {
            let slice = Array(ids[chunk..<min(chunk + AmoCRMAPI.maxNotesPerRequest, ids.count)])
            var page = 1
            pages: while true {
                guard budget > 0 else { return nil }
                budget -= 1
                let reply = await call { await $0.listNotes(crmLeadIDs: slice, page: page) }
                switch reply {
                case .page(let found, let isLast):
                    noteBreakerSignal(.healthy)
                    notes += found
                    if isLast { break pages }
                    page += 1
                case .failed(let failure):
                    noteBreakerSignal(CircuitBreaker.Signal(failure))
                    return nil
                }
            }
        }
        return notes
    }

    /// The events for one note's outcome, decided by the same policy as a lead's: retried on the lead schedule, given
    /// up when it runs out or when AmoCRM refuses the note itself. A note raises no alert of its own: the lead is
    /// delivered, and an account-wide fault already has its alert from the creates.
    private func noteOutcome(_ note: OwedNote, _ outcome: LeadCreateOutcome, noteID: Int64? = nil) -> PendingEvent {
        let attempt = note.attempt
        if case .unknownOutcome(let reason, _) = outcome, note.unknownStreak >= configuration.reconcileChecks {
            return noteFailure(
                attempt, .unknownOutcome,
                "after \(configuration.reconcileChecks) checks the note may or may not be there: \(reason)",
                retryAt: nil)
        }
        let decision = AttemptDecision.decide(
            outcome, context: .init(attempt: attempt.attempt, failedAt: clock.now(), canRefreshToken: false),
            schedule: configuration.schedule, breakerBlockedInterval: configuration.breaker.blockedProbeInterval,
            using: &random)
        switch decision {
        case .succeeded:
            return added(attempt, noteID: noteID)
        case .failed(let failure, _):
            logger.warning(
                "note attempt failed",
                metadata: [
                    "lead.id": "\(attempt.leadID)", "attempt": "\(attempt.attempt)",
                    "error.class": "\(failure.errorClass.rawValue)", "retry": "\(failure.retryable)",
                ])
            return noteFailure(
                attempt, failure.errorClass, failure.message, retryAt: failure.nextAttemptAt, status: failure.httpStatus)
        }
    }

    private func added(_ attempt: NoteAttempted, noteID: Int64?) -> PendingEvent {
        PendingEvent(
            .noteAdded(
                NoteAdded(
                    leadID: attempt.leadID, attemptID: attempt.attemptID, attempt: attempt.attempt,
                    crmNoteID: noteID.flatMap { $0 > 0 ? $0 : nil })))
    }

    private func noteFailure(
        _ attempt: NoteAttempted, _ errorClass: SyncErrorClass, _ message: String, retryAt: Timestamp?, status: Int? = nil
    ) -> PendingEvent {
        PendingEvent(
            .noteFailed(
                NoteFailed(
                    leadID: attempt.leadID, attemptID: attempt.attemptID, attempt: attempt.attempt, errorClass: errorClass,
                    httpStatus: status, message: String(message.prefix(FieldLimits.message / 4)), retryable: retryAt != nil,
                    nextAttemptAt: retryAt)))
    }
}
