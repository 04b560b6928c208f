import Foundation
import LedgerCore
import LedgerProjections
import LedgerStore
import LedgerTesting
import Testing

struct LostLeadCostReportTests {
    let moscow = TimeZone(identifier: "Europe/Moscow") ?? .current

    /// 2026-11-28 00:00 in Moscow (UTC+3) is 2026-11-27T21:00Z.
    let dayStart = Timestamp(iso8601: "2026-11-27T21:00:00Z") ?? Timestamp(millisecondsSinceEpoch: 0)

    /// A day with one lead of every fate (spam included), one lead just before midnight and one just after (other days), at 150 RUB.
    private func scenario() async throws -> (TemporaryLog, LostLeadCostReport) {
        let fixture = try TemporaryLog(start: dayStart)
        let log = fixture.log
        func lead(_ at: Timestamp, source: String?, spam: SpamReason? = nil) throws -> LeadID {
            fixture.clock.set(at)
            return try log.receive(
                NewLead(
                    leadID: LeadID.make(at: at), receivedAt: at, utm: UTM(source: source, campaign: "c"),
                    personal: PersonalData(phone: "+79160000001"), spam: spam)
            ).leadID
        }
        func deliver(_ lead: LeadID, after seconds: Int64, from: Timestamp, failuresFirst: Int = 0) throws {
            for number in 0..<failuresFirst {
                fixture.clock.set(from.adding(seconds: Int64(number)))
                try log.append([
                    PendingEvent(
                        .syncAttempted(SyncAttempted(leadID: lead, attempt: number + 1, attemptID: "a\(number)", target: .amocrm))
                    ),
                    PendingEvent(
                        .syncFailed(
                            SyncFailed(
                                leadID: lead, attemptID: "a\(number)", attempt: number + 1, errorClass: .timeout, httpStatus: nil,
                                message: "timed out", retryable: true, nextAttemptAt: from.adding(seconds: 60)))),
                ])
            }
            fixture.clock.set(from.adding(seconds: seconds))
            try log.append([
                PendingEvent(
                    .syncAttempted(SyncAttempted(leadID: lead, attempt: failuresFirst + 1, attemptID: "ok", target: .amocrm))),
                PendingEvent(
                    .syncSucceeded(
                        SyncSucceeded(leadID: lead, attemptID: "ok", attempt: failuresFirst + 1, crmLeadID: 1, crmContactID: 2))),
            ])
        }
        let onTime = dayStart.adding(seconds: 3600)
        try deliver(try lead(onTime, source: "yandex"), after: 30, from: onTime)
        let late = dayStart.adding(seconds: 7200)
        try deliver(try lead(late, source: "yandex"), after: 600, from: late, failuresFirst: 2)
        _ = try lead(dayStart.adding(seconds: 10_000), source: "vk")  // pending
        let dead = try lead(dayStart.adding(seconds: 20_000), source: nil)
        try log.append([
            PendingEvent(.syncAttempted(SyncAttempted(leadID: dead, attempt: 1, attemptID: "d", target: .amocrm))),
            PendingEvent(
                .syncFailed(
                    SyncFailed(
                        leadID: dead, attemptID: "d", attempt: 1, errorClass: .rejected, httpStatus: 400, message: "bad",
                        retryable: false,
                        nextAttemptAt: nil))),
        ])
        _ = try lead(dayStart.adding(seconds: 30_000), source: "vk", spam: .honeypot)
        _ = try lead(dayStart.adding(milliseconds: -1), source: "yandex")  // the day before
        _ = try lead(dayStart.adding(seconds: 86_400), source: "yandex")  // the day after
        // Operations: a clean and an unclean restart and two alerts in the day; one of each just outside it.
        func restart(at time: Timestamp, _ ended: PreviousRunEnd) throws {
            fixture.clock.set(time)
            try log.append(
                .processStarted(
                    ProcessStarted(
                        process: .react, instanceID: UUIDv7.make(at: time), pid: 4242, version: "test",
                        previousInstanceID: "before", previousEnded: ended)))
        }
        func alert(at time: Timestamp, _ kind: String) throws {
            fixture.clock.set(time)
            try log.append(
                .alertRaised(
                    AlertRaised(
                        alertID: UUIDv7.make(at: time), kind: kind, severity: .warning, dedupeKey: kind, message: "m",
                        subject: nil)))
        }
        try restart(at: dayStart.adding(seconds: 100), .clean)
        try restart(at: dayStart.adding(seconds: 200), .unclean)
        try restart(at: dayStart.adding(seconds: 86_400), .unclean)
        try alert(at: dayStart.adding(seconds: 300), "crm_failures")
        try alert(at: dayStart.adding(seconds: 400), "crm_failures")
        try alert(at: dayStart.adding(milliseconds: -1), "disk_low")
        let runner = try ProjectionRunner(log: log)
        let day = try #require(ReportDay("2026-11-28", timeZone: moscow))
        let report = try await LostLeadCostReport.build(
            runner: runner, log: log, day: day,
            settings: .init(timeZone: moscow, deliverySLASeconds: 300, leadCost: 150, currency: "RUB"),
            now: dayStart.adding(seconds: 2 * 86_400))
        return (fixture, report)
    }

    @Test func countsEveryFateOfTheDaysLeadsAndOnlyThatDay() async throws {
        let (_, report) = try await scenario()
        let totals = report.totals
        #expect(totals.received == 5)
        #expect(totals.spam == 1)
        #expect(totals.delivered == 2)
        #expect(totals.deliveredLate == 1)
        #expect(totals.deliveredOnTime == 1)
        #expect(totals.pending == 1)
        #expect(totals.dead == 1)
        #expect(totals.savedByRetries == 1)
        #expect(totals.reconciles)
    }

    @Test func moneyIsCountTimesLeadCost() async throws {
        let (_, report) = try await scenario()
        #expect(report.value(of: report.totals.dead) == 150)
        #expect(report.value(of: report.totals.received - report.totals.spam) == 600)
    }

    @Test func delayPercentilesUseNearestRank() async throws {
        let (_, report) = try await scenario()
        #expect(report.delays.p50Seconds == 30)
        #expect(report.delays.p95Seconds == 600)
        #expect(report.delays.maxSeconds == 600)
    }

    @Test func breakdownByUTMSourceAddsUpToTheTotals() async throws {
        let (_, report) = try await scenario()
        let bySource = Dictionary(uniqueKeysWithValues: report.bySource.map { ($0.value, $0.figures) })
        #expect(bySource["yandex"]?.received == 2)
        #expect(bySource["vk"]?.pending == 1)
        #expect(bySource["vk"]?.spam == 1)
        #expect(bySource["(none)"]?.dead == 1)
        #expect(report.bySource.map(\.figures.received).reduce(0, +) == report.totals.received)
        #expect(report.failureReasons == ["timeout": 1, "rejected": 1])
    }

    @Test func everyFormatCarriesTheFiguresAndTheReconciliation() async throws {
        let (_, report) = try await scenario()
        let markdown = try ReportFormat.md.render(report)
        #expect(markdown.contains("| Dead (lost) | 1 | 150 RUB |"))
        #expect(markdown.contains("received 5 = delivered 2 + pending 1 + dead 1 + spam 1: reconciles"))
        #expect(markdown.contains("| Received | 5 | 600 RUB |"))
        #expect(markdown.contains("| Spam (honeypot, not a lead) | 1 | - |"))
        let csv = try ReportFormat.csv.render(report)
        #expect(csv.contains("2026-11-28,total,dead,1,150,RUB"))
        #expect(csv.contains("2026-11-28,total,spam,1,,"))
        #expect(csv.contains("2026-11-28,utm_source:vk,received,2,150,RUB"))
        let json = try ReportFormat.json.render(report)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect((object?["totals"] as? [String: Any])?["dead"] as? Int == 1)
        let html = try ReportFormat.html.render(report)
        #expect(html.contains("<td>Dead (lost)</td><td>1</td>"))
    }

    @Test func textFormatsNeutraliseHostileUTMValues() async throws {
        var report = try await scenario().1
        report.bySource = [.init(value: "=HYPERLINK(\"x\")<script>|", figures: report.totals)]
        #expect(try ReportFormat.csv.render(report).contains("utm_source:=HYPERLINK") == true)
        #expect(try !ReportFormat.html.render(report).contains("<script>"))
        #expect(try ReportFormat.md.render(report).contains("<script>\\|"))
    }

    @Test func moneyIsStatedForEveryLine() async throws {
        let (_, report) = try await scenario()
        let money = report.money
        #expect(money.received == 600, "paid leads only: spam is not one")
        #expect(money.delivered == 300)
        #expect(money.deliveredOnTime == 150)
        #expect(money.deliveredLate == 150)
        #expect(money.pendingAtRisk == 150)
        #expect(money.deadLost == 150)
        #expect(money.savedByRetries == 150)
        let json = try ReportFormat.json.render(report)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let fields = try #require(object["money"] as? [String: Any])
        #expect((fields["dead_lost"] as? NSNumber)?.intValue == 150)
        #expect((fields["saved_by_retries"] as? NSNumber)?.intValue == 150)
    }

    @Test func restartsAndAlertsRaisedAreThoseOfTheDay() async throws {
        let (_, report) = try await scenario()
        #expect(report.restarts == .init(restarts: 2, unclean: 1))
        #expect(report.alertsRaised == .init(total: 2, byKind: ["crm_failures": 2]))
        #expect(try ReportFormat.md.render(report).contains("Restarts: 2 (unclean: 1). Alerts raised: 2 (crm_failures 2)."))
        #expect(try ReportFormat.csv.render(report).contains("2026-11-28,operations,unclean_restarts,1,,"))
    }

    @Test func theReconciliationIsStatedInEveryFormat() async throws {
        let (_, report) = try await scenario()
        let statement = "received 5 = delivered 2 + pending 1 + dead 1 + spam 1"
        #expect(report.reconciliation.holds)
        #expect(report.reconciliation.statement == statement)
        for format in ReportFormat.allCases {
            #expect(try format.render(report).contains(statement), "\(format)")
        }
        #expect(try ReportFormat.csv.render(report).contains("2026-11-28,reconciliation,\(statement): reconciles,,,"))
    }

    @Test func breakdownByUTMCampaignAddsUpToTheTotals() async throws {
        let (_, report) = try await scenario()
        #expect(report.byCampaign.map(\.value) == ["c"])
        #expect(report.byCampaign.first?.figures == report.totals)
        #expect(try ReportFormat.md.render(report).contains("## By utm_campaign"))
        #expect(try ReportFormat.csv.render(report).contains("2026-11-28,utm_campaign:c,received,5,600,RUB"))
    }

    @Test func aBreakdownKeepsTheLargestValuesAndFoldsTheRestIntoOther() {
        var groups: [String: LostLeadCostReport.Figures] = [:]
        for index in 0..<(LostLeadCostReport.maxBreakdownLines + 5) {
            var figures = LostLeadCostReport.Figures()
            figures.received = 100 - index
            figures.pending = 100 - index
            groups[String(format: "campaign-%02d", index)] = figures
        }
        let lines = LostLeadCostReport.breakdown(groups)
        #expect(lines.count == LostLeadCostReport.maxBreakdownLines + 1)
        #expect(lines.first?.value == "campaign-00")
        #expect(lines.last?.value == LostLeadCostReport.otherValues)
        #expect(lines.last?.figures.received == (80 + 79 + 78 + 77 + 76))
        #expect(lines.map(\.figures.received).reduce(0, +) == groups.values.map(\.received).reduce(0, +))
    }

    /// 23:59:59 and 00:00:00 Moscow time are a second apart and a day apart: each lead is in exactly one day's
    /// report, through the one builder the CLI, the admin API and the nightly run share.
    @Test func aLeadAt235959AndOneAtMidnightMoscowLandOnDifferentDays() async throws {
        let midnight = try #require(Timestamp(iso8601: "2026-11-27T21:00:00Z"))  // 2026-11-28 00:00:00 Moscow
        let fixture = try TemporaryLog(start: midnight.adding(seconds: -1))
        for (time, source) in [(midnight.adding(seconds: -1), "before"), (midnight, "after")] {
            fixture.clock.set(time)
            _ = try fixture.log.receive(
                NewLead(
                    leadID: LeadID.make(at: time), receivedAt: time, utm: UTM(source: source),
                    personal: PersonalData(phone: "+7916000000\(source.count)")))
        }
        let runner = try ProjectionRunner(log: fixture.log)
        func report(_ day: String) async throws -> LostLeadCostReport {
            try await LostLeadCostReport.build(
                runner: runner, log: fixture.log, day: try #require(ReportDay(day, timeZone: moscow)),
                settings: .init(timeZone: moscow),
                now: midnight.adding(seconds: 86_400))
        }
        let the27th = try await report("2026-11-27")
        let the28th = try await report("2026-11-28")
        #expect(the27th.totals.received == 1)
        #expect(the27th.bySource.map(\.value) == ["before"])
        #expect(the28th.totals.received == 1)
        #expect(the28th.bySource.map(\.value) == ["after"])
    }

    @Test func aDSTDayIsTwentyThreeHoursLong() throws {
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        let day = try #require(ReportDay("2026-03-08", timeZone: newYork))
        let (start, end) = try day.interval()
        #expect(end.millisecondsSinceEpoch - start.millisecondsSinceEpoch == 23 * 3_600_000)
        #expect(start == Timestamp(iso8601: "2026-03-08T05:00:00Z"))
    }

    @Test(arguments: ["2026-02-30", "2026-13-01", "26-11-28", "2026/11/28", ""])
    func impossibleDaysAreRefused(_ text: String) {
        #expect(ReportDay(text, timeZone: TimeZone(identifier: "Europe/Moscow") ?? .current) == nil)
    }

    @Test func yesterdayIsComputedInTheConfiguredZone() throws {
        // 2026-11-28T22:30Z is already 2026-11-29 01:30 in Moscow.
        let now = try #require(Timestamp(iso8601: "2026-11-28T22:30:00Z"))
        #expect(ReportDay(containing: now, timeZone: moscow).description == "2026-11-29")
        #expect(ReportDay(containing: now, timeZone: moscow).previous().description == "2026-11-28")
    }
}
