import Foundation
import LedgerCore
import LedgerProjections
import LedgerStore
import LedgerTesting
import Testing

/// The nightly report through the real binaries: `react` with `LEADLEDGER_REPORT_AT` set to the current minute, killed
/// (SIGKILL) and started again within that minute, produces yesterday's report exactly once — one `ReportProduced`,
/// one Telegram summary, four files — and `leadledger report`, the admin API and the nightly file agree on it.
@Suite(.serialized)
struct ReactNightlyReportTests {
    static let token = "nightly-report-admin-token"
    let moscow = TimeZone(identifier: "Europe/Moscow") ?? .current

    /// Yesterday in Moscow: one lead delivered after a failure, one dead, one pending, one spam; a react restart after
    /// a crash and an alert. Written before any process opens the log.
    private func writeYesterday(_ path: String, day: ReportDay) throws {
        let start = try day.interval().start.adding(seconds: 7200)
        let clock = ManualClock(start)
        let log = try EventLog.open(path: path, clock: clock)
        func lead(_ minute: Int64, _ source: String, spam: SpamReason? = nil) throws -> LeadID {
            let time = start.adding(seconds: minute * 60)
            clock.set(time)
            return try log.receive(
                NewLead(
                    leadID: LeadID.make(at: time), receivedAt: time, utm: UTM(source: source, campaign: "autumn"),
                    personal: PersonalData(phone: "+7916555000\(minute)"), spam: spam)
            ).leadID
        }
        func attempt(_ lead: LeadID, _ number: Int, failed retryable: Bool?) throws {
            let id = "attempt-\(number)"
            var events = [
                PendingEvent(.syncAttempted(SyncAttempted(leadID: lead, attempt: number, attemptID: id, target: .amocrm)))
            ]
            if let retryable {
                events.append(
                    PendingEvent(
                        .syncFailed(
                            SyncFailed(
                                leadID: lead, attemptID: id, attempt: number, errorClass: retryable ? .timeout : .rejected,
                                httpStatus: retryable ? nil : 400, message: "failed", retryable: retryable,
                                nextAttemptAt: retryable ? clock.now().adding(seconds: 30) : nil))))
            } else {
                events.append(
                    PendingEvent(
                        .syncSucceeded(
                            SyncSucceeded(leadID: lead, attemptID: id, attempt: number, crmLeadID: 77, crmContactID: 78))))
            }
            try log.append(events)
        }
        let saved = try lead(1, "yandex")
        try attempt(saved, 1, failed: true)
        clock.set(clock.now().adding(seconds: 60))
        try attempt(saved, 2, failed: nil)
        let dead = try lead(10, "vk")
        try attempt(dead, 1, failed: false)
        _ = try lead(20, "vk")
        _ = try lead(30, "yandex", spam: .honeypot)
        clock.set(start.adding(seconds: 3600))
        try log.append(
            .processStarted(
                ProcessStarted(
                    process: .react, instanceID: UUIDv7.make(at: clock.now()), pid: 4242, version: "test",
                    previousInstanceID: "crashed", previousEnded: .unclean)))
        try log.append(
            .alertRaised(
                AlertRaised(
                    alertID: UUIDv7.make(at: clock.now()), kind: "crm_failures", severity: .warning, dedupeKey: "crm_failures",
                    message: "3 consecutive AmoCRM failures", subject: "amocrm")))
    }

    /// Waits until fewer than 40 seconds of the minute have passed, so two react runs fit in it; returns `HH:MM`.
    private func currentMinuteInMoscow() async throws -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = moscow
        while calendar.component(.second, from: Date()) >= 40 { try await Task.sleep(for: .milliseconds(500)) }
        let now = calendar.dateComponents([.hour, .minute], from: Date())
        return String(format: "%02d:%02d", now.hour ?? 0, now.minute ?? 0)
    }

    private func reports(_ log: EventLog) throws -> [ReportProduced] {
        try log.events(EventQuery(stream: SystemStream.alerts, type: .reportProduced, limit: 100)).compactMap {
            if case .reportProduced(let report) = try $0.decode() { report } else { nil }
        }
    }

    private func delivered(_ log: EventLog, _ id: String) throws -> Bool {
        try log.events(EventQuery(stream: SystemStream.alerts, type: .alertDelivered, limit: 1000)).contains {
            if case .alertDelivered(let delivered) = try $0.decode() { delivered.alertID == id } else { false }
        }
    }

    /// The report as JSON, without the one field that differs between runs.
    private func figures(_ text: String) throws -> NSDictionary {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
        #expect(object["generated_at"] != nil)
        object["generated_at"] = nil
        return object as NSDictionary
    }

    @Test func exactlyOnceAcrossAKillAndRestartInTheScheduledMinuteAndEverySurfaceAgrees() async throws {
        let telegram = try FakeTelegramProcess()
        defer { telegram.stop() }
        let at = try await currentMinuteInMoscow()
        let day = ReportDay(containing: SystemClock().now(), timeZone: moscow).previous()
        let scratch = try TemporaryDirectory(prefix: "leadledger-nightly")
        let reportsDirectory = scratch.file("reports")
        let settings = telegram.settings.merging([
            "LEADLEDGER_TIMEZONE": "Europe/Moscow", "LEADLEDGER_REPORT_AT": at, "LEADLEDGER_LEAD_COST": "150",
            "LEADLEDGER_REPORTS_DIR": reportsDirectory, "LEADLEDGER_ADMIN_TOKEN": Self.token, "LEADLEDGER_ALERT_CHECK_S": "1",
        ]) { $1 }
        let server = try ServeProcess(settings: settings)
        try writeYesterday(server.dbPath, day: day)
        try server.start()
        defer { server.stop() }
        let log = try EventLog.open(path: server.dbPath)

        let first = try ReactProcess(log: server, settings: settings)
        var produced: [ReportProduced] = []
        for _ in 0..<300 {  // at most 30 s: produced, then told to Telegram
            produced = try reports(log)
            if let report = produced.first, try delivered(log, report.reportID) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let report = try #require(produced.first, "react produced no report: \(first.stop().stderr.suffix(2000))")
        kill(first.process.processIdentifier, SIGKILL)
        first.exit.wait()

        // The restart, in the same minute: it must find the report and produce, send and write nothing new.
        let second = try ReactProcess(log: server, settings: settings)
        var texts: [String] = []
        for _ in 0..<150 where !texts.contains(where: { $0.contains("unclean_restart") }) {  // its delivery has run
            try await Task.sleep(for: .milliseconds(100))
            texts = try await telegram.messages().compactMap { $0["text"] as? String }
        }
        try await Task.sleep(for: .seconds(2))  // a report pass and more delivery passes
        let stopped = second.stop()
        #expect(stopped.status == 0, "\(stopped.stderr.suffix(2000))")
        texts = try await telegram.messages().compactMap { $0["text"] as? String }
        #expect(texts.contains { $0.contains("unclean_restart") }, "the restart was seen: \(texts)")

        #expect(try reports(log).count == 1, "one ReportProduced")
        #expect(report.day == day.description)
        #expect(report.run == .nightly)
        let summaries = texts.filter { $0.contains("Отчёт о заявках за \(day.description)") }
        #expect(summaries.count == 1, "one Telegram summary: \(texts)")
        let summary = try #require(summaries.first)
        #expect(summary.contains("Потеряно: 1 — 150 RUB"), "\(summary)")
        #expect(summary.contains("Сверка: 4 = 1 + 1 + 1 + 1"), "\(summary)")
        #expect(!summary.contains("5550001") && !summary.contains(telegram.token))
        #expect(
            report.summary
                == ReportSummary(
                    received: 4, delivered: 1, deliveredLate: 0, pending: 1, dead: 1, spam: 1, savedByRetries: 1,
                    leadCost: "150", currency: "RUB", restarts: 1, uncleanRestarts: 1, alertsRaised: 1))

        let files = ReportFormat.allCases.map { "\(reportsDirectory)/\(day.description).\($0.rawValue)" }
        for file in files { #expect(FileManager.default.fileExists(atPath: file), "\(file)") }
        let nightly = try String(contentsOfFile: "\(reportsDirectory)/\(day.description).json", encoding: .utf8)
        #expect(ContentDigest.sha256(nightly) == report.reportSHA256)

        // The same day through the CLI and the admin API: the same figures as the nightly file.
        let cli = try runLeadledger(["report", "--day", day.description, "--format", "json"], server.environment)
        #expect(cli.status == 0, "\(cli.stderr)")
        let admin = try await server.get("/api/admin/reports/daily?day=\(day.description)&format=json", bearer: Self.token)
        #expect(admin.status == 200, "\(admin.body)")
        let fromFile = try figures(nightly)
        #expect(try figures(cli.stdout) == fromFile, "CLI:\n\(cli.stdout)\nnightly:\n\(nightly)")
        #expect(try figures(admin.body) == fromFile, "admin:\n\(admin.body)\nnightly:\n\(nightly)")
        #expect((fromFile["totals"] as? [String: Any])?["received"] as? Int == 4)

        // `report --send`: the same summary, sent now, its message id printed; nothing recorded.
        let sent = try runLeadledger(["report", "--day", day.description, "--send"], server.environment)
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stderr.contains("message id"), "\(sent.stderr)")
        let after = try await telegram.messages().compactMap { $0["text"] as? String }
        #expect(after.filter { $0.contains("Отчёт о заявках за \(day.description)") }.count == 2)
        #expect(try reports(log).count == 1)
    }

    @Test func reportSendWithoutTelegramFailsWithExitThree() throws {
        let server = try ServeProcess()
        try writeYesterday(server.dbPath, day: ReportDay(containing: SystemClock().now(), timeZone: moscow).previous())
        let result = try runLeadledger(["report", "--send"], server.environment)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("LEADLEDGER_TELEGRAM_BOT_TOKEN"), "\(result.stderr)")
    }
}
