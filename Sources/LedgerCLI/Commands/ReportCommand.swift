import ArgumentParser
import Foundation
import LedgerCore
import LedgerProjections

/// `leadledger report --day`: the daily lost-lead cost report.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Print the lost-lead cost report for one day (in LEADLEDGER_TIMEZONE).")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The day, YYYY-MM-DD (default: yesterday).") var day: String?
    @Option(help: "md, csv, json or html.") var format: String = "md"
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

    func validate() throws {
        if ReportFormat(rawValue: format) == nil { throw ValidationError("--format must be md, csv, json or html") }
    }

    func run() async throws {
        let settings = try await global.settings()
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
        let log = try global.openLog(settings)
        let runner = try global.projected(log, settings)
        let report = try LostLeadCostReport.build(
            runner.store, day: reportDay,
            settings: .init(
                timeZone: settings.timeZone, deliverySLASeconds: settings.deliverySLASeconds, leadCost: settings.leadCost,
                currency: settings.currency),
            now: now)
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
    }
}
