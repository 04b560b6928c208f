import ArgumentParser
import Foundation
import LedgerCore
import LedgerProjections
import LedgerReactor
import LedgerTelegram
import Logging

/// `leadledger report --day`: the daily lost-lead cost report, built by the same function as the admin API and
/// `react`'s nightly run, so for the same log the three give the same numbers.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Print the lost-lead cost report for one day (in LEADLEDGER_TIMEZONE).",
        discussion: """
            --send also posts the report's short summary to the Telegram chat of LEADLEDGER_TELEGRAM_BOT_TOKEN and \
            _CHAT_ID (in LEADLEDGER_LOCALE) and prints the message id on standard error; it fails with exit 3 when \
            Telegram is not configured or does not take the message. Nothing is recorded in the log: the nightly run \
            in `react` is what marks a day's report as produced.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "The day, YYYY-MM-DD (default: yesterday).") var day: String?
    @Option(help: "md, csv, json or html.") var format: String = "md"
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?
    @Flag(help: "Also send the summary to Telegram.") var send = false

    func validate() throws {
        if ReportFormat(rawValue: format) == nil { throw ValidationError("--format must be md, csv, json or html") }
    }

    func run() async throws {
        let settings = try await global.settings()
        if send && settings.telegram == nil {
            throw ExitStatus.runtime(
                "--send: Telegram is not configured (set LEADLEDGER_TELEGRAM_BOT_TOKEN and LEADLEDGER_TELEGRAM_CHAT_ID)")
        }
        let now = SystemClock().now()
        let reportDay: ReportDay
        if let day {
            guard let parsed = ReportDay(day, timeZone: settings.timeZone) else {
                throw ExitStatus.usage("--day: \(day) is not a date YYYY-MM-DD")
            }
            reportDay = parsed
        } else {
            reportDay = ReportDay(containing: now, timeZone: settings.timeZone).previous()
        }
        let report = try await global.withStore(settings) { log in
            let runner = try global.readModels(log, settings)
            do {
                return try await LostLeadCostReport.build(
                    runner: runner, log: log, day: reportDay, settings: settings.costReport, now: now)
            } catch {
                throw ExitStatus.runtime("the report cannot be built: \(error)")
            }
        }
        let text = try (ReportFormat(rawValue: format) ?? .md).render(report)
        if let output {
            do {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw ExitStatus.runtime("cannot write \(output): \(error.localizedDescription)")
            }
        } else {
            writeOut(text)
        }
        if send, let telegram = settings.telegram {
            let summary = ReportSummaryText(locale: AlertLocale(rawValue: settings.locale) ?? .ru)
                .summary(day: report.day, report.summary)
            do {
                let ids = try await ReportSummarySender.send(
                    summary, telegram: telegram, settings: settings.alerts, logPath: settings.localStateBase,
                    logger: Logger(label: "leadledger.report"))
                writeError(
                    "leadledger report: summary sent to Telegram, message id \(ids.map(String.init).joined(separator: ", "))\n")
            } catch {
                throw ExitStatus.runtime("--send: \(error)")
            }
        }
    }
}
