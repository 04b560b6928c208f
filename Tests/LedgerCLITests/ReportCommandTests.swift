import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// `leadledger report`: the daily lost-lead cost report, from a day whose outcomes we wrote ourselves.
///
/// 2026-03-10 in Europe/Moscow (UTC+3, no DST) is [2026-03-09T21:00Z, 2026-03-10T21:00Z).
/// - early: 2026-03-09T21:30Z (00:30 Moscow, in the day although the UTC date is the 9th), never attempted: pending.
/// - onTime: delivered 30 s after arrival.
/// - late: failed, then delivered 10 min after arrival (late under the 300 s SLA, saved by retries).
/// - deadA, deadB: rejected, no retry: dead (lost).
/// - waiting: failed, retry tomorrow: pending.
/// - nextDay: 2026-03-10T22:00Z (01:00 Moscow on the 11th), delivered: not in the day.
struct ReportCommandTests {
    static let day = "2026-03-10"
    static let moscow = ["LEADLEDGER_TIMEZONE": "Europe/Moscow", "LEADLEDGER_LEAD_COST": "150"]

    private func populated() throws -> Workspace {
        let workspace = try Workspace()
        try workspace.withLog(start: try at("2026-03-09T21:30:00Z")) { log, clock in
            _ = try log.receive(knownLead(at: clock.now(), phone: "+79160000010", source: "vk"))

            let noon = try at("2026-03-10T09:00:00Z")
            clock.set(noon)
            let onTime = try log.receive(knownLead(at: noon, phone: "+79160000011")).leadID
            let late = try log.receive(knownLead(at: noon, phone: "+79160000012")).leadID
            let deadA = try log.receive(knownLead(at: noon, phone: "+79160000013")).leadID
            let deadB = try log.receive(knownLead(at: noon, phone: "+79160000014", source: "vk")).leadID
            let waiting = try log.receive(knownLead(at: noon, phone: "+79160000015")).leadID

            clock.set(noon.adding(seconds: 30))
            try log.append([attempted(onTime), succeeded(onTime, crmLeadID: 1001)])
            try log.append([attempted(late), failed(late, retryAt: noon.adding(seconds: 600))])
            try log.append([attempted(deadA), failed(deadA, retryAt: nil)])
            try log.append([attempted(deadB), failed(deadB, retryAt: nil)])
            try log.append([attempted(waiting), failed(waiting, retryAt: noon.adding(seconds: 86_400))])

            clock.set(noon.adding(seconds: 600))
            try log.append([attempted(late, 2), succeeded(late, 2, crmLeadID: 1002)])

            let tomorrow = try at("2026-03-10T22:00:00Z")
            clock.set(tomorrow)
            let nextDay = try log.receive(knownLead(at: tomorrow, phone: "+79160000016")).leadID
            clock.set(tomorrow.adding(seconds: 20))
            try log.append([attempted(nextDay), succeeded(nextDay, crmLeadID: 1003)])
        }
        return workspace
    }

    @Test func jsonFiguresMatchTheOutcomesWrittenForThatMoscowDay() throws {
        let workspace = try populated()
        let result = try workspace.leadledger(["report", "--day", Self.day, "--format", "json"], environment: Self.moscow)
        #expect(result.code == 0, "\(result)")
        let report = try jsonObject(result.stdout)
        #expect(report["day"] as? String == Self.day)
        #expect(report["time_zone"] as? String == "Europe/Moscow")
        #expect(report["currency"] as? String == "RUB")
        #expect(int(report["lead_cost"]) == 150)
        #expect(int(field(report, "totals", "received")) == 6, "\(result)")
        #expect(int(field(report, "totals", "delivered")) == 2, "\(result)")
        #expect(int(field(report, "totals", "delivered_late")) == 1, "\(result)")
        #expect(int(field(report, "totals", "pending")) == 2, "\(result)")
        #expect(int(field(report, "totals", "dead")) == 2, "\(result)")
        #expect(int(field(report, "totals", "saved_by_retries")) == 1, "\(result)")
        #expect(int(field(report, "delays", "max_s")) == 600, "\(result)")
        let sources = try #require(report["by_utm_source"] as? [[String: Any]])
        let bySource = Dictionary(
            uniqueKeysWithValues: sources.compactMap { line in
                (line["value"] as? String).map { ($0, line["figures"] as? [String: Any] ?? [:]) }
            })
        #expect(int(bySource["yandex"]?["received"]) == 4, "\(result)")
        #expect(int(bySource["vk"]?["received"]) == 2, "\(result)")
        #expect(int(bySource["vk"]?["dead"]) == 1, "\(result)")
    }

    @Test func theDayFollowsTheConfiguredTimeZone() throws {
        let workspace = try populated()
        // In UTC the 10th holds the five noon leads and the 22:00 one, but not the 21:30Z lead of the 9th.
        let result = try workspace.leadledger(
            ["report", "--day", Self.day, "--format", "json"], environment: ["LEADLEDGER_TIMEZONE": "UTC"])
        #expect(result.code == 0, "\(result)")
        let report = try jsonObject(result.stdout)
        #expect(int(field(report, "totals", "received")) == 6, "\(result)")
        #expect(int(field(report, "totals", "delivered")) == 3, "\(result)")
        #expect(int(field(report, "totals", "pending")) == 1, "\(result)")
        // The day before in Moscow holds nothing we wrote.
        let before = try workspace.leadledger(["report", "--day", "2026-03-09", "--format", "json"], environment: Self.moscow)
        #expect(int(field(try jsonObject(before.stdout), "totals", "received")) == 0, "\(before)")
    }

    @Test func markdownShowsTheLeadCostAndTheMoneyLost() throws {
        let workspace = try populated()
        let result = try workspace.leadledger(["report", "--day", Self.day, "--format", "md"], environment: Self.moscow)
        #expect(result.code == 0, "\(result)")
        let text = result.stdout
        #expect(text.contains(Self.day), "\(result)")
        #expect(text.contains("Lead cost 150 RUB"), "\(result)")
        #expect(text.contains("| Dead (lost) | 2 | 300 RUB |"), "\(result)")
        #expect(text.contains("| Received | 6 | 900 RUB |"), "\(result)")
        #expect(text.contains("reconciles"), "\(result)")
        // Markdown is the default format.
        let fallback = try workspace.leadledger(["report", "--day", Self.day], environment: Self.moscow)
        #expect(fallback.code == 0 && fallback.stdout.contains("| Dead (lost) | 2 | 300 RUB |"), "\(fallback)")
    }

    @Test(arguments: ["md", "csv", "json", "html"])
    func everyFormatRendersWithExitZero(_ format: String) throws {
        let workspace = try populated()
        let result = try workspace.leadledger(["report", "--day", Self.day, "--format", format], environment: Self.moscow)
        #expect(result.code == 0, "\(result)")
        #expect(!result.stdout.isEmpty, "\(result)")
        switch format {
        case "json": _ = try jsonObject(result.stdout)
        case "html": #expect(result.stdout.lowercased().contains("<html"), "\(result)")
        case "csv": #expect(result.stdout.contains(","), "\(result)")
        default: #expect(result.stdout.hasPrefix("#"), "\(result)")
        }
    }

    @Test func anUnknownFormatIsAUsageErrorWithExitTwo() throws {
        let workspace = try populated()
        let result = try workspace.leadledger(["report", "--day", Self.day, "--format", "pdf"], environment: Self.moscow)
        #expect(result.code == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
    }

    @Test(arguments: ["2026-3-10", "10.03.2026", "2026-02-30", "tomorrow"])
    func aDayThatIsNotADateIsAUsageErrorWithExitTwo(_ day: String) throws {
        let workspace = try populated()
        let result = try workspace.leadledger(["report", "--day", day], environment: Self.moscow)
        #expect(result.code == 2, "\(result)")
    }

    @Test func outputWritesTheReportToTheFileInsteadOfStandardOutput() throws {
        let workspace = try populated()
        let path = workspace.directory.file("report.json")
        let result = try workspace.leadledger(
            ["report", "--day", Self.day, "--format", "json", "--output", path], environment: Self.moscow)
        #expect(result.code == 0, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        let written = try String(contentsOfFile: path, encoding: .utf8)
        let report = try jsonObject(written)
        #expect(int(field(report, "totals", "received")) == 6)
        #expect(int(field(report, "totals", "dead")) == 2)

        let markdown = workspace.directory.file("report.md")
        let short = try workspace.leadledger(["report", "--day", Self.day, "-o", markdown], environment: Self.moscow)
        #expect(short.code == 0, "\(short)")
        #expect(try String(contentsOfFile: markdown, encoding: .utf8).contains("| Dead (lost) | 2 | 300 RUB |"))
    }

    @Test func anUnwritableOutputIsARuntimeErrorWithExitThree() throws {
        let workspace = try populated()
        let path = workspace.directory.file("no/such/directory/report.md")
        let result = try workspace.leadledger(["report", "--day", Self.day, "--output", path], environment: Self.moscow)
        #expect(result.code == 3, "\(result)")
    }
}
