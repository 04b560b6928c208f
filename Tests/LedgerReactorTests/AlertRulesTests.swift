import LedgerCore
import LedgerProjections
import LedgerReactor
import LedgerStore
import Testing

/// Each rule fires at its threshold and not below it; messages carry counts, never personal data.
struct AlertRulesTests {
    let settings = AlertSettings()

    private func kinds(_ inputs: AlertInputs) -> [String] {
        AlertRules.evaluate(inputs, settings).filter(\.raises).map(\.kind)
    }

    private func inputs(
        _ configure: (inout HealthView) -> Void = { _ in }, circuit: String? = "closed", freeDisk: Int64? = 10 << 30,
        memory: (used: Int64, limit: Int64)? = (100, 1000), stalled: [String: Int64] = [:]
    ) -> AlertInputs {
        var health = HealthView()
        configure(&health)
        return AlertInputs(health: health, circuit: circuit, freeDiskBytes: freeDisk, memory: memory, stalledProjectors: stalled)
    }

    @Test func aHealthySystemHoldsNoCondition() {
        #expect(AlertRules.evaluate(inputs(), settings).isEmpty)
    }

    @Test func consecutiveCRMFailuresFireAtTheThresholdAndNotBelow() {
        #expect(kinds(inputs { $0.totals.consecutiveCRMFailures = 2 }).isEmpty)
        let three = AlertRules.evaluate(
            inputs {
                $0.totals.consecutiveCRMFailures = 3
                $0.totals.lastSyncFailureClass = .serverError
                $0.queue.pending = 7
                $0.totals.receivedTotal = 7
            }, settings)
        #expect(three.map(\.kind) == ["crm_failures"])
        #expect(three.first?.message.contains("в очереди ждут 7 заявок") == true, "\(three)")
    }

    @Test func anOpenCircuitFiresAndHoldsABanAlertOpenWithoutRaisingIt() {
        let conditions = AlertRules.evaluate(inputs(circuit: "open"), settings)
        #expect(conditions.filter(\.raises).map(\.kind) == ["crm_circuit_open"])
        #expect(conditions.contains { $0.kind == "crm_stopped" && !$0.raises })
        #expect(AlertRules.evaluate(inputs(circuit: nil), settings).isEmpty, "sync disabled: no circuit")
    }

    @Test func aFailingLoginFiresOnlyWhileNoSuccessCameAfterIt() {
        let failing = inputs {
            $0.totals.lastSyncFailureClass = .unauthorized
            $0.totals.lastSyncFailureAt = Timestamp(millisecondsSinceEpoch: 2000)
            $0.totals.lastSyncSuccessAt = Timestamp(millisecondsSinceEpoch: 1000)
        }
        #expect(kinds(failing) == ["crm_auth_failing"])
        let recovered = inputs {
            $0.totals.lastSyncFailureClass = .unauthorized
            $0.totals.lastSyncFailureAt = Timestamp(millisecondsSinceEpoch: 2000)
            $0.totals.lastSyncSuccessAt = Timestamp(millisecondsSinceEpoch: 3000)
        }
        #expect(kinds(recovered).isEmpty)
    }

    @Test func theOldestPendingLeadFiresPastTheAgeThreshold() {
        #expect(kinds(inputs { $0.oldestPendingAgeSeconds = 600 }).isEmpty)
        #expect(kinds(inputs { $0.oldestPendingAgeSeconds = 601 }) == ["pending_too_old"])
    }

    @Test func booksThatDoNotBalanceFire() {
        #expect(kinds(inputs { $0.totals.receivedTotal = 1 }) == ["conservation_failed"])
    }

    @Test func aStalledProjectorFiresWithItsOwnKey() {
        let conditions = AlertRules.evaluate(inputs(stalled: ["retry_queue": 130]), settings)
        #expect(conditions.map(\.key) == ["projector_stalled:retry_queue"])
    }

    @Test func lowDiskAndHighMemoryFireAtTheirThresholds() {
        #expect(kinds(inputs(freeDisk: 1024 * 1_048_576)).isEmpty)
        #expect(kinds(inputs(freeDisk: 1024 * 1_048_576 - 1)) == ["disk_low"])
        #expect(kinds(inputs(memory: (800, 1000))).isEmpty)
        #expect(kinds(inputs(memory: (801, 1000))) == ["memory_high"])
        #expect(kinds(inputs(freeDisk: nil, memory: nil)).isEmpty, "unknown facts raise nothing")
    }

    @Test func descriptorsNearTheLimitFireAboveTheirShareForEachProcessByName() {
        func withDescriptors(_ processes: [AlertInputs.ProcessDescriptors]) -> AlertInputs {
            var base = inputs()
            base.descriptors = processes
            return base
        }
        #expect(kinds(withDescriptors([.init(process: .serve, open: 819, limit: 1024)])).isEmpty, "80 % is not above 80 %")
        let conditions = AlertRules.evaluate(
            withDescriptors([
                .init(process: .serve, open: 820, limit: 1024), .init(process: .react, open: 10, limit: 1024),
            ]), settings)
        #expect(conditions.map(\.kind) == ["descriptors_high"])
        #expect(conditions.first?.key == "descriptors_high:serve")
        #expect(conditions.first?.message.contains("открыто 820 из 1024") == true)
        #expect(kinds(withDescriptors([.init(process: .react, open: 5, limit: 0)])).isEmpty, "an unknown limit raises nothing")
        #expect(AlertRules.managedKinds.contains("descriptors_high"), "resolved when the condition ends")
    }
}

/// What the conditions become in the log: one raise per new condition, nothing while it holds, one resolution.
struct AlertBookTests {
    let now = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)

    private func open(_ kind: String, key: String? = nil, minutesAgo: Int64 = 5) -> OpenAlert {
        OpenAlert(
            raised: AlertRaised(
                alertID: "a-\(kind)", kind: kind, severity: .warning, dedupeKey: key ?? kind, message: "\(kind) began",
                subject: nil),
            raisedAt: now.adding(milliseconds: -minutesAgo * 60_000))
    }

    @Test func aNewConditionIsRaisedOnceAndNotAgainWhileItHolds() {
        let condition = AlertCondition(kind: "pending_too_old", severity: .warning, message: "waits")
        let first = AlertBook.changes(open: [:], conditions: [condition], now: now)
        #expect(first.count == 1)
        guard case .alertRaised(let raised)? = first.first else {
            Issue.record("expected a raise")
            return
        }
        #expect(raised.dedupeKey == "pending_too_old" && raised.kind == "pending_too_old")
        #expect(AlertBook.changes(open: ["pending_too_old": open("pending_too_old")], conditions: [condition], now: now).isEmpty)
    }

    @Test func aClearedManagedConditionIsResolvedOnceNamingTheRaiseAndHowLongItLasted() {
        let events = AlertBook.changes(open: ["crm_failures": open("crm_failures", minutesAgo: 12)], conditions: [], now: now)
        guard case .alertResolved(let resolved)? = events.first, events.count == 1 else {
            Issue.record("expected one resolution, got \(events)")
            return
        }
        #expect(resolved.resolvesAlertID == "a-crm_failures" && resolved.dedupeKey == "crm_failures")
        #expect(resolved.message == "решено через 12 мин: crm_failures began")
        let english = AlertBook.changes(
            open: ["crm_failures": open("crm_failures", minutesAgo: 12)], conditions: [], now: now, locale: .en)
        guard case .alertResolved(let resolvedInEnglish)? = english.first else {
            Issue.record("expected one resolution, got \(english)")
            return
        }
        #expect(resolvedInEnglish.message == "resolved after 12 min: crm_failures began")
    }

    @Test func aHeldConditionKeepsAnAlertRaisedElsewhereOpenAndNeverRaisesIt() {
        let held = AlertCondition(kind: "crm_stopped", severity: .critical, message: "", raises: false)
        #expect(AlertBook.changes(open: [:], conditions: [held], now: now).isEmpty)
        #expect(AlertBook.changes(open: ["crm_stopped": open("crm_stopped")], conditions: [held], now: now).isEmpty)
        #expect(AlertBook.changes(open: ["crm_stopped": open("crm_stopped")], conditions: [], now: now).count == 1)
    }

    @Test func oneShotAlertsAreNeverResolvedByTheRules() {
        let oneShots = ["lead_dead:x": open("lead_dead", key: "lead_dead:x"), "unclean_restart:serve:1": open("unclean_restart")]
        #expect(AlertBook.changes(open: oneShots, conditions: [], now: now).isEmpty)
    }
}

struct StallTrackerTests {
    @Test func aProjectorBehindThatDoesNotMoveIsStalledAndOneThatMovesIsNot() {
        var tracker = StallTracker()
        let start = Timestamp(millisecondsSinceEpoch: 1_000_000)
        #expect(tracker.observe([ProjectionStatus(name: "p", checkpoint: 10, lag: 5)], now: start).isEmpty)
        let later = start.adding(milliseconds: 30_000)
        #expect(tracker.observe([ProjectionStatus(name: "p", checkpoint: 10, lag: 9)], now: later) == ["p": 30])
        #expect(
            tracker.observe([ProjectionStatus(name: "p", checkpoint: 12, lag: 9)], now: later.adding(milliseconds: 1000)).isEmpty)
        #expect(
            tracker.observe([ProjectionStatus(name: "p", checkpoint: 12, lag: 0)], now: later.adding(milliseconds: 9000)).isEmpty)
    }
}
