import Foundation
import LedgerCore
import LedgerTelegram
import Testing

/// In Russian, everything the owner reads in Telegram is Russian: headings, hints, subjects and the nightly summary.
/// Kept as they are: AmoCRM, Telegram, commands, settings, ids, paths, units; English holds no Cyrillic.
struct RussianTextTests {
    /// Latin words a Russian text may hold besides ids (snake_case, ALL_CAPS, words with digits).
    static let allowedWords: Set<String> = [
        "AmoCRM", "Telegram", "id", "ID", "LimitNOFILE", "systemd", "metrics", "leadledger", "lead", "requeue", "serve", "react",
    ]

    static func englishWords(_ html: String) -> [String] {
        let text = html.replacingOccurrences(of: #"</?[a-z]+>"#, with: " ", options: .regularExpression)
        return text.split { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_")) }.map(String.init).filter { word in
            word.filter(\.isLetter).count >= 3 && !allowedWords.contains(word) && !word.contains("_")
                && !word.contains(where: \.isNumber) && word != word.uppercased()
        }
    }

    static func hasCyrillic(_ text: String) -> Bool {
        text.unicodeScalars.contains { (0x0400...0x04FF).contains($0.value) }
    }

    static let kinds = [
        "crm_failures", "crm_circuit_open", "crm_auth_failing", "crm_stopped", "pending_too_old", "conservation_failed",
        "projector_stalled", "disk_low", "memory_high", "descriptors_high", "lead_dead", "reconcile_uncertain",
        "unclean_restart", "crash_loop",
    ]

    static func alert(_ kind: String, subject: String) -> AlertContent {
        AlertContent(
            alertID: "01936f7e-8a2b-7c3d-9e4f-a1b2c3d4e5f6", kind: kind, severity: .warning, message: "сообщение",
            subject: subject, since: fixedStart, affectedLeads: 3, occurrences: 2)
    }

    @Test func everyRaisedResolvedAndDigestAlertIsRussian() {
        let text = AlertText(locale: .ru, timeZone: moscow)
        for kind in Self.kinds {
            for subject in ["amocrm", "queue", "ledger", "disk", "memory", "serve"] {
                let alert = Self.alert(kind, subject: subject)
                for html in [
                    text.raised(alert), text.resolved(alert, at: fixedStart.adding(seconds: 4000)),
                    text.digest(
                        [AlertDigestEntry(alert: alert), AlertDigestEntry(alert: alert, resolvedAt: fixedStart)], at: fixedStart),
                ] {
                    #expect(Self.englishWords(html).isEmpty, "\(kind): \(Self.englishWords(html)) in \(html)")
                }
            }
        }
    }

    @Test func everyEnglishAlertHasNoCyrillic() {
        let text = AlertText(locale: .en, timeZone: moscow)
        for kind in Self.kinds {
            var alert = Self.alert(kind, subject: "queue")
            alert.message = "message"
            #expect(!Self.hasCyrillic(text.raised(alert)), "\(kind)")
            #expect(!Self.hasCyrillic(text.resolved(alert, at: fixedStart.adding(seconds: 60))), "\(kind)")
        }
    }

    @Test func theNightlySummaryIsRussianInRussianAndEnglishInEnglish() {
        let summary = ReportSummary(
            received: 12, delivered: 8, deliveredLate: 3, pending: 2, dead: 1, spam: 1, savedByRetries: 4, leadCost: "99.5",
            currency: "RUB", restarts: 2, uncleanRestarts: 1, alertsRaised: 5)
        var broken = summary
        broken.received = 13
        for figures in [summary, broken] {
            let russian = ReportSummaryText(locale: .ru).summary(day: "2026-11-28", figures, reportID: "0193c0de-aaaa")
            #expect(Self.englishWords(russian).isEmpty, "\(Self.englishWords(russian)) in \(russian)")
            #expect(!Self.hasCyrillic(ReportSummaryText(locale: .en).summary(day: "2026-11-28", figures, reportID: "x")))
        }
    }
}
