import Foundation
import LedgerAmoCRM
import LedgerCore
import LedgerProjections
import LedgerStore
import Logging

/// One reactor's sync loop state: decides from the projected retry queue, calls AmoCRM, records every step.
///
/// Every decision reads projected state and every action is an event: `SyncAttempted` is appended *before* the call
/// (a crash mid-call leaves an attempt without an outcome for start-up to find), the outcome after it. The pacer and
/// the circuit breaker are in memory: a restart begins closed, and the first failures re-open it.
public actor SyncEngine {
    public struct Configuration: Sendable {
        /// Leads per complex request (at most AmoCRM's 50). Full batches drain a backlog; a lead that arrives alone is
        /// sent alone, which keeps an unknown outcome small.
        public var batchSize: Int
        /// Leads per pass once a create's outcome was unknown (a lost reply, a timeout after sending, a stop mid-call),
        /// until a create succeeds again: while the connection to AmoCRM is doubtful, one more lost reply puts at
        /// most this many leads in doubt instead of a whole batch. At most `batchSize`.
        public var cautiousBatchSize: Int
        public var mapping: LeadMapping
        public var schedule: RetrySchedule
        public var breaker: CircuitBreaker.Configuration
        /// AmoCRM calls per second across creates, searches and probes.
        public var requestsPerSecond: Int
        /// List calls (pages of 250 leads) one reconciliation of unknown outcomes may make, over all its windows.
        public var reconcilePages = 4
        /// Reconciliations in a row that cannot decide before a lead waits for a human (dead-lettered with its
        /// outcome unknown, one alert naming the leads of the pass). The retry schedule spaces them.
        public var reconcileChecks = 6
        /// The first AmoCRM call waits one pacer window (`RequestPacer`'s quiet start): a reactor restarted after a
        /// kill must not add its calls to those its predecessor made in the same second.
        public var quietStart = true
        /// The language of the alerts the engine raises (`lead_dead`, `crm_stopped`, `reconcile_uncertain`).
        public var locale: AlertLocale = .ru

        public init(
            batchSize: Int = AmoCRMAPI.maxLeadsPerComplexRequest, cautiousBatchSize: Int = 10,
            mapping: LeadMapping = LeadMapping(), schedule: RetrySchedule = .standard,
            breaker: CircuitBreaker.Configuration = .init(), requestsPerSecond: Int = 7
        ) {
            self.batchSize = max(1, min(batchSize, AmoCRMAPI.maxLeadsPerComplexRequest))
            self.cautiousBatchSize = max(1, min(cautiousBatchSize, self.batchSize))
            self.mapping = mapping
            self.schedule = schedule
            self.breaker = breaker
            self.requestsPerSecond = requestsPerSecond
        }
    }

    let log: any EventStore
    let runner: ProjectionRunner
    let client: AmoCRMClient
    let configuration: Configuration
    let clock: any LedgerClock
    let logger: Logger
    /// Present with OAuth: refreshes before expiry and once on a 401. Nil with a long-lived token.
    let vault: TokenVault?
    private(set) var breaker: CircuitBreaker
    private var pacer: RequestPacer
    /// Set by a create whose outcome was unknown (or by attempts a stop left without one), cleared by a create that
    /// succeeds: while set, a pass takes `cautiousBatchSize` leads.
    public private(set) var cautious = false
    var random = SystemRandomNumberGenerator()

    public init(
        log: any EventStore, runner: ProjectionRunner, client: AmoCRMClient, configuration: Configuration,
        vault: TokenVault? = nil, clock: any LedgerClock = SystemClock(), logger: Logger
    ) {
        self.vault = vault
        self.log = log
        self.runner = runner
        self.client = client
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        breaker = CircuitBreaker(configuration: configuration.breaker)
        pacer = RequestPacer(
            limit: configuration.requestsPerSecond, startingAt: configuration.quietStart ? clock.now() : nil)
    }

    /// After a crash, attempts without an outcome: each becomes an unknown outcome due at once, so the next pass
    /// searches AmoCRM for the lead before it could send a second copy. Safe because only this process sends
    /// (`ReactorLock`). Returns how many it recorded.
    public func recoverOrphanedAttempts() async throws -> Int {
        try await runner.catchUp()
        var recovered = 0
        while true {
            let orphans = try RetryQueue(store: runner.store).entries(in: .inFlight, limit: 500)
            guard !orphans.isEmpty else { return recovered + (try await recoverOrphanedNotes()) }
            let now = clock.now()
            _ = try await log.append(
                orphans.map { entry in
                    PendingEvent(
                        .syncFailed(
                            SyncFailed(
                                leadID: entry.leadID, attemptID: entry.inFlightAttemptID ?? "unknown",
                                attempt: max(1, entry.attempts),
                                errorClass: .unknownOutcome, httpStatus: nil,
                                message: "the reactor stopped during this attempt; searching AmoCRM before resending",
                                retryable: true, nextAttemptAt: now)))
                })
            logger.warning("attempts left without an outcome by a stop", metadata: ["count": "\(orphans.count)"])
            recovered += orphans.count
            cautious = true
            try await runner.catchUp()
        }
    }

    /// Records what a note call said about AmoCRM's health.
    func noteBreakerSignal(_ signal: CircuitBreaker.Signal) { breaker.record(signal, now: clock.now()) }

    /// The breaker's state for health: `closed`, `open` or `half_open`.
    public var breakerState: String { breaker.state.healthName }

    /// One pass: brings projections up to date, then handles one batch of due leads. Returns how many leads it
    /// recorded an outcome for (0: nothing due, or the breaker holds traffic back).
    public func runOnce() async throws -> Int {
        try await runner.catchUp()
        let now = clock.now()
        switch breaker.permission(now: now) {
        case .wait:
            return 0
        case .probe:
            await probe()
            return 0
        case .send:
            break
        }
        // A half-open breaker allows one trial. Whatever the pass does with it (nothing due, only erased leads,
        // a thrown error), it is given back at the end; after a recorded outcome this is a no-op.
        defer { breaker.record(.neutral, now: clock.now()) }
        if let vault, await vault.needsRefresh() {
            do {
                // A token refresh is an AmoCRM call too: it waits for the pacer like any other.
                _ = try await paced { try await vault.refresh(client: $0) }
            } catch {
                logger.error("AmoCRM token refresh failed: \(error)")
            }
        }
        let limit = cautious ? configuration.cautiousBatchSize : configuration.batchSize
        let due = try RetryQueue(store: runner.store).due(at: now, limit: limit)
        // Leads first; a pass with no lead due retries the notes that are.
        guard !due.isEmpty else { return try await retryNotes(at: now) }
        var batch: [(entry: RetryQueueEntry, lead: OutgoingLead)] = []
        var settled = 0
        for entry in due {
            switch try await outgoing(entry.leadID) {
            case .available(let lead):
                batch.append((entry, lead))
            case .erased:
                try await recordUnsendable(entry, reason: "personal data erased before delivery")
                settled += 1
            }
        }
        guard !batch.isEmpty else { return settled }
        return settled + (try await send(batch))
    }

    enum Outgoing {
        case available(OutgoingLead)
        case erased
    }

    func outgoing(_ leadID: LeadID) async throws -> Outgoing {
        let events = try await log.events(EventQuery(stream: leadID.description, type: .leadReceived, limit: 1))
        guard let first = events.first, case .leadReceived(let received) = try first.decode() else {
            throw SyncEngineError(leadID: leadID, reason: "queued lead has no LeadReceived")
        }
        switch try await log.personalData(of: received) {
        case .available(let personal):
            return .available(
                OutgoingLead(
                    leadID: received.leadID, receivedAt: received.receivedAt, formID: received.formID, utm: received.utm,
                    personal: personal))
        case .erased:
            return .erased
        }
    }

    /// Leads whose last outcome was unknown are reconciled first (`reconcile`): found means delivered, without a
    /// second copy in the CRM; provably absent joins the create call; uncertain stays unknown. Then one create call.
    ///
    /// The reconciled leads' attempts are recorded before the list calls and what they found right after, before the
    /// fresh leads' attempts: a reactor stopped during the lists leaves the fresh leads unattempted instead of turning
    /// each into an unknown outcome.
    private func send(_ batch: [(entry: RetryQueueEntry, lead: OutgoingLead)]) async throws -> Int {
        var fresh: [(entry: RetryQueueEntry, lead: OutgoingLead)] = []
        var toReconcile: [(entry: RetryQueueEntry, lead: OutgoingLead)] = []
        for item in batch {
            if let errorClass = item.entry.lastErrorClass, AttemptDecision.requiresReconciliation(after: errorClass) {
                toReconcile.append(item)
            } else {
                fresh.append(item)
            }
        }
        var outcomes: [PendingEvent] = []
        var creating: [(attempt: SyncAttempted, entry: RetryQueueEntry, lead: OutgoingLead)] = []
        // Notes for the leads this pass delivers, recorded with the success they follow: a stop between the two
        // cannot lose a note.
        var notes: [OwedNote] = []
        if !toReconcile.isEmpty {
            let attempts = try await recordAttempts(toReconcile.map(\.entry))
            let verdicts = await reconcile(toReconcile.map(\.lead))
            var settled: [PendingEvent] = []
            var givenUp: [LeadID] = []
            for (attempt, item) in zip(attempts, toReconcile) {
                switch verdicts[item.lead.requestID] ?? .uncertain(reason: "not judged") {
                case .found(let crmLeadID, let crmContactID, let copies):
                    if copies > 1 {
                        logger.error(
                            "a lead is in AmoCRM more than once",
                            metadata: ["lead.id": "\(attempt.leadID)", "copies": "\(copies)", "crm.lead_id": "\(crmLeadID)"])
                    }
                    settled.append(success(attempt, crmLeadID: crmLeadID, crmContactID: crmContactID, merged: false))
                    if let note = noteAttempt(for: item.lead, crmLeadID: crmLeadID) {
                        notes.append(note)
                        settled.append(PendingEvent(.noteAttempted(note.attempt)))
                    }
                case .absent:
                    creating.append((attempt, item.entry, item.lead))
                case .uncertain(let reason):
                    let message = "reconcile could not decide: \(reason)"
                    if item.entry.unknownStreak >= configuration.reconcileChecks {
                        givenUp.append(attempt.leadID)
                        settled.append(waitForHuman(attempt, message: message))
                    } else {
                        settled += record(attempt, item.entry, .unknownOutcome(reason: message, httpStatus: nil))
                    }
                }
            }
            if !givenUp.isEmpty { settled.append(reconcileAlert(givenUp)) }
            // Recorded before the create: what the lists proved is kept whatever happens to the call.
            try await appendOutcomes(settled)
        }
        let freshAttempts = try await recordAttempts(fresh.map(\.entry))
        creating += zip(freshAttempts, fresh).map { (attempt: $0, entry: $1.entry, lead: $1.lead) }
        guard !creating.isEmpty else {
            try await appendOutcomes(outcomes)
            try await sendNotes(notes)
            return batch.count
        }
        let request = try ComplexLeadRequest(leads: creating.map(\.lead), mapping: configuration.mapping)
        var reply = await paced { await $0.createLeads(request) }
        // A 401 was refused before anything was created: refresh once and send the same request again.
        if case .failed(.unauthorized) = reply, await reauthorize() {
            reply = await paced { await $0.createLeads(request) }
        }
        breaker.record(CircuitBreaker.Signal(reply), now: clock.now())
        let byRequest = Dictionary(
            reply.outcomes(requestIDs: request.requestIDs).map { ($0.requestID, $0.outcome) },
            uniquingKeysWith: { first, _ in first })
        for (attempt, entry, lead) in creating {
            let outcome = byRequest[lead.requestID] ?? .unknownOutcome(reason: "no outcome for the lead", httpStatus: nil)
            switch outcome {
            case .created: cautious = false
            case .unknownOutcome: cautious = true
            default: break
            }
            outcomes += record(attempt, entry, outcome)
            // Also for a merged lead: its comment belongs on the lead it was matched to.
            if case .created(let created) = outcome, let note = noteAttempt(for: lead, crmLeadID: created.crmLeadID) {
                notes.append(note)
                outcomes.append(PendingEvent(.noteAttempted(note.attempt)))
            }
        }
        try await appendOutcomes(outcomes)
        try await sendNotes(notes)
        return batch.count
    }

    /// Records a new attempt for each entry, in one append.
    private func recordAttempts(_ entries: [RetryQueueEntry]) async throws -> [SyncAttempted] {
        guard !entries.isEmpty else { return [] }
        let attempts = entries.map { entry in
            SyncAttempted(
                leadID: entry.leadID, attempt: entry.attempts + 1, attemptID: UUIDv7.make(at: clock.now()).description,
                target: .amocrm)
        }
        _ = try await log.append(attempts.map { PendingEvent(.syncAttempted($0)) })
        return attempts
    }

    func appendOutcomes(_ outcomes: [PendingEvent]) async throws {
        guard !outcomes.isEmpty else { return }
        var recorded = Self.oneAlertPerKey(outcomes)
        if recorded.contains(where: { if case .alertRaised = $0.event { true } else { false } }) {
            recorded = Self.withoutAlertsOpen(recorded, open: Set(try await log.openAlerts().keys))
        }
        _ = try await log.append(recorded)
        ReactorMetrics.recorded(recorded)
    }

    /// Lists the leads AmoCRM holds from the batch's `created_at` windows (`BatchReconciliation`), at most
    /// `reconcilePages` calls in all, and judges each lead. Leads the lists leave uncertain are then looked up with
    /// `query`, at most `cautiousBatchSize` of them: a search that finds a lead proves it is there, one that finds
    /// nothing proves nothing (the index is fuzzy and may lag), so it never makes a lead absent.
    private func reconcile(_ leads: [OutgoingLead]) async -> [String: BatchReconciliation.Verdict] {
        let wanted = leads.map(BatchReconciliation.Lead.init)
        var budget = configuration.reconcilePages
        var results: [BatchReconciliation.WindowResult] = []
        windows: for window in BatchReconciliation.windows(for: wanted, maxWindows: budget) {
            var listed: [ListedLead] = []
            var page = 1
            while budget > 0 {
                budget -= 1
                let reply = await call {
                    await $0.listLeads(createdFrom: window.lowerBound, createdTo: window.upperBound, page: page)
                }
                switch reply {
                case .page(let found):
                    breaker.record(.healthy, now: clock.now())
                    listed += found.leads
                    if found.isLast {
                        results.append(.init(window: window, leads: listed, readToEnd: true))
                        continue windows
                    }
                    page += 1
                case .failed(let failure):
                    breaker.record(CircuitBreaker.Signal(failure), now: clock.now())
                    results.append(
                        .init(
                            window: window, leads: listed, readToEnd: false, stoppedBecause: "the list failed: \(failure.message)"
                        ))
                    break windows
                }
            }
            results.append(.init(window: window, leads: listed, readToEnd: false))
        }
        var verdicts = BatchReconciliation.verdicts(for: wanted, results: results)
        let uncertain = wanted.filter { if case .uncertain = verdicts[$0.ledgerID] { true } else { false } }
        for lead in uncertain.prefix(configuration.cautiousBatchSize) {
            let search = await call { await $0.searchLead(ledgerLeadID: lead.ledgerID) }
            switch search {
            case .found(let match):
                breaker.record(.healthy, now: clock.now())
                verdicts[lead.ledgerID] = .found(
                    crmLeadID: match.crmLeadID, crmContactID: match.crmContactID, copies: match.matchCount)
            case .notFound:
                breaker.record(.healthy, now: clock.now())
            case .failed(let failure):
                breaker.record(CircuitBreaker.Signal(failure), now: clock.now())
            }
        }
        ReactorMetrics.reconciled(verdicts.values)
        return verdicts
    }

    /// A read call, paced, repeated once after a token refresh when it met a 401.
    func call<Reply: AmoCRMReadReply>(_ body: (AmoCRMClient) async -> Reply) async -> Reply {
        let reply = await paced(body)
        guard reply.isUnauthorized, await reauthorize() else { return reply }
        return await paced(body)
    }

    /// Past the bound of reconciliations: the lead leaves the queue with its outcome unknown, for a human to look
    /// for it in AmoCRM. Sending it could create a second copy; not sending it loses nothing, since it is in the
    /// ledger and `leadledger requeue` reconciles it again.
    private func waitForHuman(_ attempt: SyncAttempted, message: String) -> PendingEvent {
        PendingEvent(
            .syncFailed(
                SyncFailed(
                    leadID: attempt.leadID, attemptID: attempt.attemptID, attempt: attempt.attempt,
                    errorClass: .unknownOutcome, httpStatus: nil, message: String(message.prefix(FieldLimits.message / 4)),
                    retryable: false, nextAttemptAt: nil)))
    }

    /// One alert for the leads of a pass that wait for a human, naming them (ids only: no personal data).
    private func reconcileAlert(_ leads: [LeadID]) -> PendingEvent {
        let message = AlertMessages.reconcileUncertain(
            leads: leads.map(\.description), checks: configuration.reconcileChecks, configuration.locale)
        return alert("reconcile_uncertain", .warning, key: "reconcile_uncertain:\(leads[0])", message, leads[0])
    }

    /// An account refusal that the breaker's trial batch meets again is the same episode: the owner has its alert
    /// already, and a second one per probe interval would be noise.
    static func withoutAlertsOpen(_ events: [PendingEvent], open: Set<String>) -> [PendingEvent] {
        events.filter { pending in
            guard case .alertRaised(let alert) = pending.event else { return true }
            return !open.contains(alert.dedupeKey)
        }
    }

    /// A failure shared by a whole batch (a ban, a payment problem) is one alert, not one per lead.
    static func oneAlertPerKey(_ events: [PendingEvent]) -> [PendingEvent] {
        var seen: Set<String> = []
        return events.filter { pending in
            guard case .alertRaised(let alert) = pending.event else { return true }
            return seen.insert(alert.dedupeKey).inserted
        }
    }

    /// The events recording one lead's `outcome`, as `AttemptDecision` decides it: a success, or a failure and, when
    /// a human is needed, an `AlertRaised`. The schedule counts attempts since the last requeue, so a requeued lead
    /// gets a fresh retry budget.
    private func record(_ attempt: SyncAttempted, _ entry: RetryQueueEntry, _ outcome: LeadCreateOutcome) -> [PendingEvent] {
        let sinceRequeue = max(1, attempt.attempt - entry.attemptsBeforeRequeue)
        let decision = AttemptDecision.decide(
            outcome, context: .init(attempt: sinceRequeue, failedAt: clock.now(), canRefreshToken: false),
            schedule: configuration.schedule, breakerBlockedInterval: configuration.breaker.blockedProbeInterval,
            locale: configuration.locale, using: &random)
        switch decision {
        case .succeeded(let created):
            return [success(attempt, crmLeadID: created.crmLeadID, crmContactID: created.crmContactID, merged: created.merged)]
        case .failed(let failure, let followUp):
            if case .failed(.rateLimited(let retryAfter, _)) = outcome {
                pacer.rateLimited(now: clock.now(), retryAfter: retryAfter)
            }
            logger.warning(
                "sync attempt failed",
                metadata: [
                    "lead.id": "\(attempt.leadID)", "attempt": "\(attempt.attempt)",
                    "error.class": "\(failure.errorClass.rawValue)",
                    "http.status": "\(failure.httpStatus.map(String.init) ?? "-")", "follow_up": "\(followUp)",
                ])
            let failed = PendingEvent(
                .syncFailed(failure.syncFailed(leadID: attempt.leadID, attemptID: attempt.attemptID, attempt: attempt.attempt)))
            switch followUp {
            case .deadLetter(let alert):
                return [failed, self.alert("lead_dead", .warning, key: "lead_dead:\(attempt.leadID)", alert, attempt.leadID)]
            case .stopAllTraffic(let alert):
                return [failed, self.alert("crm_stopped", .critical, key: "crm_stopped", alert, attempt.leadID)]
            case .retry, .resendAlone, .reconcileFirst, .refreshTokenAndRetry:
                return [failed]
            }
        }
    }

    private func alert(_ kind: String, _ severity: AlertSeverity, key: String, _ message: String, _ lead: LeadID)
        -> PendingEvent
    {
        PendingEvent(
            .alertRaised(
                AlertRaised(
                    alertID: UUIDv7.make(at: clock.now()).description, kind: kind, severity: severity, dedupeKey: key,
                    message: message, subject: lead.description)))
    }

    private func success(_ attempt: SyncAttempted, crmLeadID: Int64, crmContactID: Int64?, merged: Bool) -> PendingEvent {
        PendingEvent(
            .syncSucceeded(
                SyncSucceeded(
                    leadID: attempt.leadID, attemptID: attempt.attemptID, attempt: attempt.attempt, crmLeadID: crmLeadID,
                    crmContactID: crmContactID, merged: merged)))
    }

    /// A lead that can never be sent (its personal data was erased first): dead-lettered with the reason.
    private func recordUnsendable(_ entry: RetryQueueEntry, reason: String) async throws {
        let attempt = SyncAttempted(
            leadID: entry.leadID, attempt: entry.attempts + 1, attemptID: UUIDv7.make(at: clock.now()).description,
            target: .amocrm)
        _ = try await log.append([
            PendingEvent(.syncAttempted(attempt)),
            PendingEvent(
                .syncFailed(
                    SyncFailed(
                        leadID: entry.leadID, attemptID: attempt.attemptID, attempt: attempt.attempt, errorClass: .rejected,
                        httpStatus: nil, message: reason, retryable: false, nextAttemptAt: nil))),
        ])
    }

    /// While the breaker is open: a cheap read, never a lead.
    private func probe() async {
        let reply = await call { await $0.probe() }
        breaker.record(CircuitBreaker.Signal(reply), isProbe: true, now: clock.now())
        logger.info("AmoCRM probe", metadata: ["breaker": "\(breaker.state.healthName)"])
    }

    /// After a 401 with OAuth: one refresh. True when a new token is in place and the call is worth repeating.
    private func reauthorize() async -> Bool {
        guard let vault else { return false }
        do {
            _ = try await paced { try await vault.refresh(client: $0) }
            return true
        } catch {
            logger.error("AmoCRM token refresh after a 401 failed: \(error)")
            return false
        }
    }

    /// Makes one AmoCRM call when the global request budget allows it; the call counts against the budget until
    /// it ends (`RequestPacer`).
    func paced<Reply, Failure: Error>(_ call: (AmoCRMClient) async throws(Failure) -> Reply) async throws(Failure) -> Reply {
        let now = clock.now()
        let wait = pacer.reserve(now: now)
        if wait > .zero { await clock.sleep(for: wait) }
        let slot = now.adding(milliseconds: wait.milliseconds)
        pacer.sent(slot: slot, at: clock.now())
        defer { pacer.finished(slot: slot, at: clock.now()) }
        return try await call(client)
    }
}

/// The reactor found the log in a state it cannot act on (a queued lead without its `LeadReceived`).
public struct SyncEngineError: Error, CustomStringConvertible {
    public var leadID: LeadID
    public var reason: String
    public var description: String { "lead \(leadID): \(reason)" }
}
