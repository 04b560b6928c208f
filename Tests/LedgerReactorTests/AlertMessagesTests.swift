import Foundation
import LedgerCore
import LedgerProjections
import LedgerReactor
import Testing

/// Every alert kind's message in both locales: Russian holds only Russian words (and the tokens kept as they are),
/// English holds no Cyrillic. A new message function belongs in `every`.
struct AlertMessagesTests {
    /// Every message function, with facts that exercise its branches, keyed by the alert kind it words.
    static func every(_ locale: AlertLocale) -> [(kind: String, text: String)] {
        let leads = (0..<12).map { LeadID.make(at: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000 + Int64($0))).description }
        var texts: [(kind: String, text: String)] = [
            ("crm_failures", AlertMessages.crmFailures(failures: 3, lastClass: .serverError, waiting: 7, locale)),
            ("crm_failures", AlertMessages.crmFailures(failures: 21, lastClass: nil, waiting: 1, locale)),
            ("crm_circuit_open", AlertMessages.crmCircuitOpen(state: "open", waiting: 2, locale)),
            ("crm_circuit_open", AlertMessages.crmCircuitOpen(state: "half_open", waiting: 0, locale)),
            ("crm_auth_failing", AlertMessages.crmAuthFailing(waiting: 5, locale)),
            ("pending_too_old", AlertMessages.pendingTooOld(minutes: 12, waiting: 3, locale)),
            ("conservation_failed", AlertMessages.conservationFailed(received: 10, accounted: 9, locale)),
            ("projector_stalled", AlertMessages.projectorStalled(projector: "retry_queue", seconds: 130, locale)),
            ("disk_low", AlertMessages.diskLow(freeMiB: 512, thresholdMiB: 1024, locale)),
            ("memory_high", AlertMessages.memoryHigh(percent: 85, limitMiB: 1024, thresholdPercent: 80, locale)),
            (
                "descriptors_high",
                AlertMessages.descriptorsHigh(process: "serve", open: 900, limit: 1024, thresholdPercent: 80, locale)
            ),
            ("lead_dead", AlertMessages.leadRefused(reply: "422", locale)),
            ("lead_dead", AlertMessages.leadGaveUp(attempts: 48, lastError: "502", locale)),
            ("lead_dead", AlertMessages.leadGaveUp(attempts: 1, lastError: "502", locale)),
            ("crm_stopped", AlertMessages.tokenRejected(reply: "401", locale)),
            ("crm_stopped", AlertMessages.paymentRequired(reply: "402", locale)),
            ("crm_stopped", AlertMessages.accessBlocked(reply: "403", locale)),
            ("crm_stopped", AlertMessages.accountRefused(reply: "244", locale)),
            ("reconcile_uncertain", AlertMessages.reconcileUncertain(leads: Array(leads.prefix(1)), checks: 6, locale)),
            ("reconcile_uncertain", AlertMessages.reconcileUncertain(leads: leads, checks: 1, locale)),
            (
                "unclean_restart",
                AlertMessages.uncleanRestart(process: "react", pid: 4242, startedAt: "2026-11-28T09:00:00.000Z", locale)
            ),
            ("crash_loop", AlertMessages.crashLoop(process: "serve", restarts: 3, minutes: 10, locale)),
            (
                "resolved",
                AlertMessages.resolved(minutes: 12, raised: AlertMessages.diskLow(freeMiB: 1, thresholdMiB: 2, locale), locale)
            ),
        ]
        let refused: [RefusedConfiguration] = [
            .pipeline, .status, .responsibleUser, .leadField(900_004), .leadField(nil), .contactField(code: "PHONE"),
            .contactField(code: nil),
        ]
        for configuration in refused {
            texts.append(("crm_stopped", AlertMessages.configurationRefused(configuration, path: "pipeline_id", locale)))
        }
        return texts
    }

    @Test func everyRussianMessageIsRussian() {
        for (kind, text) in Self.every(.ru) {
            #expect(LanguageCheck.hasCyrillic(text), "\(kind): \(text)")
            #expect(LanguageCheck.englishWords(text).isEmpty, "\(kind): \(LanguageCheck.englishWords(text)) in \(text)")
        }
    }

    @Test func everyEnglishMessageHasNoCyrillic() {
        for (kind, text) in Self.every(.en) {
            #expect(!LanguageCheck.hasCyrillic(text), "\(kind): \(text)")
        }
    }

    @Test func everyKindTheReactorAndStartUpRaiseHasAMessage() {
        let worded = Set(Self.every(.ru).map(\.kind))
        let raised = AlertRules.managedKinds.union(["lead_dead", "reconcile_uncertain", "unclean_restart", "crash_loop"])
        #expect(raised.isSubset(of: worded), "\(raised.subtracting(worded))")
    }

    @Test func russianCountsAgreeWithTheirNumbers() {
        #expect(AlertMessages.pendingTooOld(minutes: 11, waiting: 1, .ru).hasSuffix("в очереди ждёт 1 заявка"))
        #expect(AlertMessages.pendingTooOld(minutes: 11, waiting: 3, .ru).hasSuffix("в очереди ждут 3 заявки"))
        #expect(AlertMessages.pendingTooOld(minutes: 11, waiting: 11, .ru).hasSuffix("в очереди ждут 11 заявок"))
        #expect(AlertMessages.crashLoop(process: "serve", restarts: 3, minutes: 10, .ru).contains("3 раза"))
        #expect(
            AlertMessages.reconcileUncertain(leads: ["a1"], checks: 6, .ru).hasPrefix("неизвестно, дошла ли до AmoCRM 1 заявка"))
    }

    /// The dashboard keeps only what precedes a message's first ": " (AmoCRM's answer may echo a phone); the words
    /// before it are the ledger's own in both languages.
    @Test func anAmoCRMAnswerComesAfterTheFirstColon() {
        let reply = "+79161234567 is invalid"
        for locale in AlertLocale.allCases {
            for text in [
                AlertMessages.leadRefused(reply: reply, locale), AlertMessages.leadGaveUp(attempts: 3, lastError: reply, locale),
                AlertMessages.tokenRejected(reply: reply, locale), AlertMessages.paymentRequired(reply: reply, locale),
                AlertMessages.accessBlocked(reply: reply, locale),
            ] {
                let head = text.range(of: ": ").map { String(text[..<$0.lowerBound]) } ?? text
                #expect(!head.contains("79161234567"), "\(text)")
            }
        }
        let russian = AlertMessages.accountRefused(reply: reply, .ru)
        let head = russian.range(of: ": ").map { String(russian[..<$0.lowerBound]) } ?? russian
        #expect(!head.contains("79161234567"), "\(russian)")
    }

    /// The rules word their messages in `settings.locale`: the threading, not just the catalog.
    @Test func theRulesWriteInTheConfiguredLocale() {
        var health = HealthView()
        health.totals.consecutiveCRMFailures = 5
        health.totals.lastSyncFailureClass = .unauthorized
        health.totals.lastSyncFailureAt = Timestamp(millisecondsSinceEpoch: 2000)
        health.totals.receivedTotal = 1
        health.oldestPendingAgeSeconds = 7200
        var inputs = AlertInputs(
            health: health, circuit: "open", freeDiskBytes: 1_048_576, memory: (950, 1000),
            stalledProjectors: ["retry_queue": 300])
        inputs.descriptors = [.init(process: .react, open: 1000, limit: 1024)]
        for locale in AlertLocale.allCases {
            var settings = AlertSettings()
            settings.locale = locale
            let conditions = AlertRules.evaluate(inputs, settings).filter(\.raises)
            #expect(conditions.count == 9, "\(conditions.map(\.kind))")
            for condition in conditions {
                switch locale {
                case .ru:
                    #expect(LanguageCheck.hasCyrillic(condition.message), "\(condition.kind): \(condition.message)")
                    #expect(LanguageCheck.englishWords(condition.message).isEmpty, "\(condition.kind): \(condition.message)")
                case .en:
                    #expect(!LanguageCheck.hasCyrillic(condition.message), "\(condition.kind): \(condition.message)")
                }
            }
        }
    }
}
