import Foundation
import LedgerCore

/// The nightly report's Telegram summary, as HTML, in Russian (default) or English: the day, leads received,
/// delivered (on time / late), pending at risk and lost in money, saved by retries in money, restarts, and the
/// reconciliation line. Short enough for one message; built from `ReportSummary` alone, which holds counts, the lead
/// cost and the currency — no lead, no contact, nothing personal. Every value is escaped like alert texts.
public struct ReportSummaryText: Sendable {
    public let locale: AlertLocale

    public init(locale: AlertLocale = .ru) {
        self.locale = locale
    }

    /// The report's title in plain text ("Отчёт о заявках за 2026-12-06"): the summary's heading, and the report's
    /// line where a digest lists it.
    public func title(day: String) -> String { "\(ReportWording.of(locale).title) \(day)" }

    /// - Parameter reportID: shown as a short id (its last 8 letters and digits), so a rare duplicate after a
    ///   timed-out send is recognisable; nil for `leadledger report --send`, which records nothing.
    public func summary(day: String, _ summary: ReportSummary, reportID: String? = nil) -> String {
        let words = ReportWording.of(locale)
        func money(_ count: Int) -> String { "\(summary.value(of: count)) \(summary.currency)" }
        var lines = [
            "📊 <b>\(escape(title(day: day)))</b>",
            "\(escape(words.received)): \(summary.received)",
            "\(escape(words.delivered)): \(summary.delivered) (\(escape(words.onTime)) \(summary.deliveredOnTime), "
                + "\(escape(words.late)) \(summary.deliveredLate))",
            "\(escape(words.pending)): \(summary.pending) — \(escape(money(summary.pending)))",
            "\(escape(words.lost)): \(summary.dead) — \(escape(money(summary.dead)))",
            "\(escape(words.saved)): \(summary.savedByRetries) — \(escape(money(summary.savedByRetries)))",
            "\(escape(words.restarts)): \(summary.restarts) (\(escape(words.unclean)) \(summary.uncleanRestarts))",
        ]
        if summary.spam > 0 { lines.append("\(escape(words.spam)): \(summary.spam)") }
        let verdict = summary.reconciles ? "✓" : "✗ \(words.doesNotReconcile)"
        lines.append(
            "\(escape(words.check)): \(summary.received) = \(summary.delivered) + \(summary.pending) + \(summary.dead) + "
                + "\(summary.spam) (\(escape(words.checkTerms))) \(escape(verdict))")
        if let reportID {
            let short = String(reportID.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.suffix(8)).lowercased()
            lines.append("<i>id \(escape(short))</i>")
        }
        return lines.joined(separator: "\n")
    }

    private func escape(_ text: String) -> String { TelegramHTML.escape(text) }
}

/// The fixed words of the summary, per locale.
struct ReportWording: Sendable {
    var title: String
    var received: String
    var delivered: String
    var onTime: String
    var late: String
    var pending: String
    var lost: String
    var saved: String
    var restarts: String
    var unclean: String
    var spam: String
    var check: String
    var checkTerms: String
    var doesNotReconcile: String

    static func of(_ locale: AlertLocale) -> ReportWording {
        switch locale {
        case .ru: russian
        case .en: english
        }
    }

    static let russian = ReportWording(
        title: "Отчёт о заявках за", received: "Получено заявок", delivered: "Доставлено в AmoCRM", onTime: "вовремя",
        late: "с опозданием", pending: "Ждут отправки, под риском", lost: "Потеряно", saved: "Спасено повторными попытками",
        restarts: "Перезапуски", unclean: "аварийных", spam: "Спам (не заявки)", check: "Сверка",
        checkTerms: "доставлено + ждут + потеряно + спам", doesNotReconcile: "не сходится")

    static let english = ReportWording(
        title: "Lead report for", received: "Leads received", delivered: "Delivered to AmoCRM", onTime: "on time",
        late: "late", pending: "Pending, at risk", lost: "Lost", saved: "Saved by retries", restarts: "Restarts",
        unclean: "unclean", spam: "Spam (not leads)", check: "Check",
        checkTerms: "delivered + pending + lost + spam", doesNotReconcile: "does not reconcile")
}
