import Foundation
import LedgerAmoCRM
import LedgerCore
import LedgerReactor

/// Runs `check-amocrm`'s calls against the owner's account, one after another, paced like the reactor so a check
/// run beside a busy reactor never pushes the account over its rate limit.
struct AmoCRMDoctor {
    let crm: AmoCRMSettings
    let connection: AmoCRMConnection
    /// The path prefix of this host's files (`LedgerSettings.localStateBase`): the reactor lock and the tokens.
    let localState: String
    let clock: any LedgerClock
    private var pacer: RequestPacer

    /// Tag of the `--write` test lead, so the owner can find and delete it.
    static let testTag = "leadledger-check"
    /// Lists of the test lead's window before giving up: AmoCRM's list is read from its database, so the lead
    /// shows at once on a healthy account; the retries cover a slow replica.
    static let findAttempts = 5
    static let findPause: Duration = .seconds(2)
    /// Pages per list of the test lead's window: the same bound as the reactor's default reconcile budget.
    static let findPages = 4

    init(crm: AmoCRMSettings, connection: AmoCRMConnection, localState: String, clock: any LedgerClock = SystemClock()) {
        self.crm = crm
        self.connection = connection
        self.localState = localState
        self.clock = clock
        // A quiet start like the reactor's: a reactor may have used the whole window a moment ago.
        pacer = RequestPacer(limit: crm.requestsPerSecond, startingAt: clock.now())
    }

    private var client: AmoCRMClient { connection.client }

    /// Every check, in the order of the table; `write` adds the test lead.
    mutating func run(write: Bool) async -> [CheckRow] {
        let readiness = await prepareToken()
        let account = await paced { await $0.account() }
        var rows = [AccountJudgement.token(account)]
        guard case .account(let summary) = account else {
            let skipped = ["clock offset", "pipeline and status", "lead fields", "contact fields"]
            rows += skipped.map { CheckRow($0, .warn, "not checked: the token check failed") }
            rows.append(readiness.row)
            if write { rows.append(CheckRow("test lead", .warn, "not written: the token check failed")) }
            return rows
        }
        rows.append(AccountJudgement.clock(summary))
        switch await paced({ await $0.listPipelines() }) {
        case .pipelines(let pipelines):
            rows.append(AccountJudgement.pipeline(pipelines, pipelineID: crm.pipelineID, statusID: crm.statusID))
        case .failed(let failure):
            rows.append(CheckRow("pipeline and status", .fail, "GET \(AmoCRMAPI.pipelinesPath): \(failure)"))
        }
        if crm.layout.fieldIDs.isEmpty {
            rows.append(AccountJudgement.leadFields([], complete: true, configured: [:]))
        } else {
            switch await customFields(.leads) {
            case .success(let listing):
                rows.append(
                    AccountJudgement.leadFields(
                        listing.fields, complete: listing.complete, configured: crm.layout.fieldIDs))
            case .failure(let failure):
                rows.append(CheckRow("lead fields", .fail, "GET lead custom fields: \(failure)"))
            }
        }
        switch await customFields(.contacts) {
        case .success(let listing):
            rows.append(AccountJudgement.contactFields(listing.fields, complete: listing.complete))
        case .failure(let failure):
            rows.append(CheckRow("contact fields", .fail, "GET contact custom fields: \(failure)"))
        }
        rows.append(readiness.row)
        if write { rows.append(await writeTestLead()) }
        return rows
    }

    // MARK: - OAuth

    /// Where the OAuth tokens stand before the account is asked anything.
    enum TokenReadiness {
        case longLivedToken
        case valid(until: Timestamp?, file: String)
        case refreshed(until: Timestamp?, file: String)
        /// The saved access token expired while a running `react` holds the live refresh token.
        case heldByReactor(file: String)
        case refreshFailed(TokenVault.VaultError)

        var row: CheckRow {
            let check = "oauth refresh"
            switch self {
            case .longLivedToken:
                return CheckRow(check, .ok, "long-lived token, nothing to refresh")
            case .valid(let until, let file):
                return CheckRow(check, .ok, "tokens saved in \(file), access token valid until \(Self.time(until))")
            case .refreshed(let until, let file):
                return CheckRow(check, .ok, "refreshed now and saved in \(file), valid until \(Self.time(until))")
            case .heldByReactor(let file):
                return CheckRow(
                    check, .warn,
                    "the access token in \(file) has expired and `react` is running: it refreshes the pair itself; run this check again in a minute"
                )
            case .refreshFailed(let error):
                return CheckRow(check, .fail, Self.advice(error))
            }
        }

        private static func time(_ instant: Timestamp?) -> String { instant?.iso8601 ?? "unknown" }

        private static func advice(_ error: TokenVault.VaultError) -> String {
            switch error {
            case .rejected:
                "\(error); set a fresh LEADLEDGER_AMOCRM_REFRESH_TOKEN (and check LEADLEDGER_AMOCRM_CLIENT_ID, _CLIENT_SECRET, _REDIRECT_URI)"
            case .unavailable:
                "\(error) (check LEADLEDGER_AMOCRM_BASE_URL and the network)"
            case .cannotPersist:
                "\(error) (the token file lives beside LEADLEDGER_DB: that directory must be writable)"
            }
        }
    }

    /// With OAuth, makes sure a token is there: refreshes when none is saved or it is about to expire. A refresh
    /// spends the single-use refresh token, so it is never done while a running reactor holds the live one: the
    /// reactor lock is taken for the refresh, or the refresh is left to the reactor.
    private mutating func prepareToken() async -> TokenReadiness {
        guard let vault = connection.vault else { return .longLivedToken }
        guard await vault.needsRefresh() else { return .valid(until: await vault.accessTokenExpiry(), file: vault.path) }
        let lock: ReactorLock?
        do {
            lock = try ReactorLock(logPath: localState)
        } catch {
            // The directory of this host's files may not exist yet (a first setup): then no reactor can be running.
            let directory = URL(fileURLWithPath: localState).deletingLastPathComponent().path
            guard FileManager.default.fileExists(atPath: directory) else { return await refresh(vault) }
            return .heldByReactor(file: vault.path)
        }
        let readiness = await refresh(vault)
        withExtendedLifetime(lock) {}
        return readiness
    }

    private mutating func refresh(_ vault: TokenVault) async -> TokenReadiness {
        do {
            _ = try await paced { client throws(TokenVault.VaultError) in try await vault.refresh(client: client) }
            return .refreshed(until: await vault.accessTokenExpiry(), file: vault.path)
        } catch {
            return .refreshFailed(error)
        }
    }

    // MARK: - Custom fields

    struct FieldListing {
        var fields: [CustomField]
        /// False when the page bound cut the list short.
        var complete: Bool
    }

    /// Every page of an entity's custom fields, at most `AmoCRMAPI.maxCustomFieldPages` of them.
    private mutating func customFields(_ entity: CustomFieldEntity) async -> Result<FieldListing, AmoCRMFailure> {
        var fields: [CustomField] = []
        for page in 1...AmoCRMAPI.maxCustomFieldPages {
            switch await paced({ await $0.listCustomFields(entity, page: page) }) {
            case .page(let found, let isLast):
                fields += found
                if isLast { return .success(FieldListing(fields: fields, complete: true)) }
            case .failed(let failure):
                return .failure(failure)
            }
        }
        return .success(FieldListing(fields: fields, complete: false))
    }

    // MARK: - The test lead

    /// Creates one lead through the reactor's own request builder, then finds it as reconciliation does: a list of
    /// its `created_at` window matched by ledger id (`BatchReconciliation`).
    private mutating func writeTestLead() async -> CheckRow {
        let check = "test lead"
        let now = clock.now()
        let lead = OutgoingLead(
            leadID: LeadID.make(at: now), receivedAt: now, formID: Self.testTag, utm: UTM(), personal: PersonalData())
        var mapping = LeadMapping(pipelineID: crm.pipelineID, statusID: crm.statusID, layout: crm.layout)
        mapping.tags.append(Self.testTag)
        let request: ComplexLeadRequest
        do {
            request = try ComplexLeadRequest(leads: [lead], mapping: mapping)
        } catch {
            return CheckRow(check, .fail, "the request could not be built: \(error)")
        }
        let created = ContinuousClock.now
        var said: String
        switch await paced({ await $0.createLeads(request) }) {
        case .created(let leads):
            said = "created CRM lead \(leads.map { String($0.crmLeadID) }.joined(separator: ", "))"
        case .unknownOutcome(let reason, _):
            said = "the create's outcome is unknown (\(reason))"
        case .partiallyCreated:
            said = "the create's reply did not name the lead"
        case .batchRejected(_, let rejected, let message):
            return CheckRow(check, .fail, "AmoCRM refused the test lead: \(rejected.values.sorted().first ?? message)")
        case .failed(let failure):
            return CheckRow(check, .fail, "AmoCRM refused the test lead: \(failure)")
        }
        said += " tagged \(Self.testTag), ledger id \(lead.leadID)"
        let wanted = BatchReconciliation.Lead(lead)
        guard let window = BatchReconciliation.windows(for: [wanted], maxWindows: 1).first else {
            return CheckRow(check, .fail, "\(said); no created_at window to list")
        }
        var verdict = BatchReconciliation.Verdict.uncertain(reason: "not listed yet")
        var lists = 0
        for attempt in 1...Self.findAttempts {
            if attempt > 1 { try? await Task.sleep(for: Self.findPause) }
            var listed: [ListedLead] = []
            var result = BatchReconciliation.WindowResult(window: window, leads: [], readToEnd: false)
            for page in 1...Self.findPages {
                lists += 1
                let reply = await paced {
                    await $0.listLeads(createdFrom: window.lowerBound, createdTo: window.upperBound, page: page)
                }
                guard case .page(let found) = reply else {
                    result.stoppedBecause = "the list failed: \(reply.failure?.message ?? "unknown")"
                    break
                }
                listed += found.leads
                result.leads = listed
                if found.isLast {
                    result.readToEnd = true
                    break
                }
            }
            verdict = BatchReconciliation.verdicts(for: [wanted], results: [result])[wanted.ledgerID] ?? verdict
            if case .found = verdict { break }
        }
        let elapsed = ContinuousClock.now - created
        let seconds = String(format: "%.1f", Double(elapsed.milliseconds) / 1000)
        switch verdict {
        case .found(let crmLeadID, _, let copies):
            let extra = copies > 1 ? " (\(copies) copies!)" : ""
            return CheckRow(
                check, .ok,
                "\(said); found again as CRM lead \(crmLeadID)\(extra) by the created_at list after \(seconds) s (\(lists) list call(s)); delete it in AmoCRM"
            )
        case .absent:
            return CheckRow(
                check, .fail,
                "\(said); a complete created_at list after \(seconds) s does not show it: reconciliation would resend")
        case .uncertain(let reason):
            return CheckRow(check, .fail, "\(said); not found by the created_at list after \(seconds) s: \(reason)")
        }
    }

    /// Makes one call when the pacer allows it, and records when it went and when it ended. The call is handed the
    /// client rather than reaching for `self`, which this method is changing.
    private mutating func paced<Reply, Failure: Error>(_ call: (AmoCRMClient) async throws(Failure) -> Reply)
        async throws(Failure) -> Reply
    {
        let now = clock.now()
        let wait = pacer.reserve(now: now)
        if wait > .zero { try? await Task.sleep(for: wait) }
        let slot = now.adding(milliseconds: wait.milliseconds)
        pacer.sent(slot: slot, at: clock.now())
        defer { pacer.finished(slot: slot, at: clock.now()) }
        return try await call(client)
    }
}
