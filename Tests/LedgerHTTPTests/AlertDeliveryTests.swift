import Foundation
import LedgerCore
import LedgerProjections
import LedgerReactor
import LedgerStore
import LedgerTelegram
import LedgerTesting
import Logging
import Testing

/// The reactor's alert delivery against the fake Telegram: what reaches the chat, and what the log records for it.
@Suite(.serialized)
struct AlertDeliveryTests {
    /// A log (the one a `ServeProcess` would serve), the fake, and a deliverer pointed at it.
    private struct Rig {
        let telegram: FakeTelegramProcess
        let server: ServeProcess
        let log: EventLog

        init() throws {
            telegram = try FakeTelegramProcess()
            server = try ServeProcess(settings: telegram.settings)
            log = try EventLog.open(path: server.dbPath)
        }

        /// A deliverer (a reactor process's worth of delivery state) for `body`, its HTTP client shut down after.
        func withDeliverer<T>(_ body: (AlertDeliverer) async throws -> T) async throws -> T {
            let settings = try LedgerSettings.load { telegram.settings[$0] }
            let bot = try #require(settings.telegram)
            let deliverer = try AlertDeliverer(
                log: log, localState: log.path,
                client: TelegramClient(telegram: bot, alerts: settings.alerts, logger: Logger(label: "test")),
                chatID: bot.chatID, settings: settings.alerts, locale: "en",
                timeZone: try #require(TimeZone(identifier: "UTC")), logger: Logger(label: "test.delivery"))
            do {
                let result = try await body(deliverer)
                await deliverer.shutdown()
                return result
            } catch {
                await deliverer.shutdown()
                throw error
            }
        }

        /// One pass of a fresh deliverer.
        func pass() async throws -> DeliveryPass {
            try await withDeliverer { try await $0.deliverPending() }
        }

        @discardableResult
        func raise(_ key: String, message: String = "AmoCRM failed 3 times", subject: String? = "amocrm") throws -> AlertRaised {
            let alert = AlertRaised(
                alertID: UUIDv7.make(at: SystemClock().now()), kind: key, severity: .warning, dedupeKey: key, message: message,
                subject: subject)
            _ = try log.append(.alertRaised(alert))
            return alert
        }

        func resolve(_ raised: AlertRaised) throws {
            _ = try log.append(
                .alertResolved(
                    AlertResolved(
                        alertID: UUIDv7.make(at: SystemClock().now()), resolvesAlertID: raised.alertID, kind: raised.kind,
                        dedupeKey: raised.dedupeKey, message: "\(raised.kind) is over")))
        }

        /// Every AlertDelivered, by alert id.
        func delivered() throws -> [String: AlertDelivered] {
            var found: [String: AlertDelivered] = [:]
            for event in try log.events(EventQuery(stream: SystemStream.alerts, type: .alertDelivered, limit: 1000)) {
                if case .alertDelivered(let delivered) = try event.decode() {
                    #expect(found[delivered.alertID] == nil, "one delivery fact per alert")
                    found[delivered.alertID] = delivered
                }
            }
            return found
        }

        func undeliverable() throws -> [AlertUndeliverable] {
            try log.events(EventQuery(stream: SystemStream.alerts, type: .alertUndeliverable, limit: 1000)).compactMap {
                event -> AlertUndeliverable? in
                guard case .alertUndeliverable(let refused) = try event.decode() else { return nil }
                return refused
            }
        }

        /// Runs passes (as the service does) until `done` or `seconds` pass.
        func deliver(_ deliverer: AlertDeliverer, seconds: Double = 20, until done: () throws -> Bool) async throws {
            let deadline = Date().addingTimeInterval(seconds)
            while try !done(), Date() < deadline {
                try await deliverer.deliverPending()
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    @Test func alertsOlderThanTheMaxAgeAreRecordedAsSuppressedNotSent() async throws {
        let rig = try Rig()
        let old = try rig.raise("pending_too_old")
        let settings = try LedgerSettings.load { rig.telegram.settings[$0] }
        // Telegram first sees the alert two days after it was raised (say, a bot configured only now).
        let later = ManualClock(SystemClock().now().adding(milliseconds: 2 * 86_400_000))
        let telegram = try #require(settings.telegram)
        let deliverer = try AlertDeliverer(
            log: rig.log, localState: rig.log.path,
            client: TelegramClient(telegram: telegram, alerts: settings.alerts, logger: Logger(label: "test")),
            chatID: telegram.chatID, settings: settings.alerts, locale: "en",
            timeZone: try #require(TimeZone(identifier: "UTC")), clock: later, logger: Logger(label: "test.delivery"))
        let pass = try await deliverer.deliverPending()
        await deliverer.shutdown()
        #expect(pass.suppressed == 1)
        #expect(try rig.delivered()[old.alertID]?.outcome == .suppressed)
        #expect(try await rig.telegram.messages().isEmpty, "nothing sent")
    }

    @Test func anAlertIsDeliveredOnceAndRecorded() async throws {
        let rig = try Rig()
        let alert = try rig.raise("crm_failures")
        try await rig.withDeliverer { deliverer in
            let pass = try await deliverer.deliverPending()
            #expect(pass.sent == 1 && pass.messages == 1)
            let messages = try await rig.telegram.messages()
            try #require(messages.count == 1)
            #expect(messages[0]["parse_mode"] as? String == "HTML")
            #expect((messages[0]["text"] as? String)?.contains("AmoCRM failed 3 times") == true)
            let delivered = try #require(try rig.delivered()[alert.alertID])
            #expect(delivered.outcome == .sent && delivered.channel == .telegram)
            #expect(delivered.messageIDs == [try #require((messages[0]["message_id"] as? NSNumber)?.int64Value)])

            #expect(try await deliverer.deliverPending() == DeliveryPass(), "a second pass sends nothing")
        }
        #expect(try await rig.pass() == DeliveryPass(), "nor does a restarted one")
        #expect(try await rig.telegram.messages().count == 1)
        #expect(try await rig.log.alertDeliveryStatus().pending.isEmpty)
    }

    @Test func floodControlLosesNothingAndRetriesAfterRetryAfter() async throws {
        let rig = try Rig()
        try await rig.telegram.setMode("429", ["retry_after": 2])
        let alerts = [try rig.raise("crm_failures"), try rig.raise("disk_low")]
        let refusedAt = Date()
        try await rig.withDeliverer { deliverer in
            #expect(try await deliverer.deliverPending() == DeliveryPass())
            #expect(try rig.delivered().isEmpty, "a 429 is not a fact: the alerts stay pending")
            try await rig.telegram.setMode("ok")
            try await rig.deliver(deliverer) { try rig.delivered().count == 2 }
        }
        let messages = try await rig.telegram.messages()
        #expect(messages.count == 2, "each alert once")
        let times = messages.compactMap { ($0["t_ms"] as? NSNumber)?.doubleValue }
        let firstAfter = try #require(times.min())
        #expect(firstAfter / 1000 - refusedAt.timeIntervalSince1970 >= 1.9, "nothing before retry_after")
        #expect(Set(try rig.delivered().keys) == Set(alerts.map(\.alertID)))
    }

    @Test func anOutageLosesNothingAndSendsNothingTwice() async throws {
        let rig = try Rig()
        try await rig.telegram.setMode("down")
        let alerts = try (1...3).map { try rig.raise("projector_stalled:\($0)") }
        try await rig.withDeliverer { deliverer in
            try await rig.deliver(deliverer, seconds: 2.5) { false }
            #expect(try rig.delivered().isEmpty && rig.undeliverable().isEmpty)
            try await rig.telegram.setMode("ok")
            try await rig.deliver(deliverer) { try rig.delivered().count == 3 }
        }
        let messages = try await rig.telegram.messages()
        #expect(messages.count == 3, "each alert exactly once after the outage")
        let delivered = try rig.delivered()
        #expect(Set(delivered.keys) == Set(alerts.map(\.alertID)))
        #expect(Set(delivered.values.flatMap(\.messageIDs)).count == 3)
    }

    /// A blocked bot is the owner's to fix, not the alert's fault: the alert waits, health says why (without the
    /// token), and the alert goes out once the bot is unblocked, once, with no undeliverable record.
    @Test(arguments: [("blocked", "blocked"), ("revoked", "Unauthorized")])
    func aChannelTheOwnerMustFixKeepsAlertsWaitingSaysWhyAndDeliversOnceFixed(mode: String, reasonPart: String)
        async throws
    {
        let rig = try Rig()
        try await rig.telegram.setMode(mode)
        let alert = try rig.raise("crm_stopped")
        try await rig.withDeliverer { deliverer in
            let pass = try await deliverer.deliverPending()
            #expect(pass.undeliverable == 0)
            #expect(pass.sent == 0)
            #expect(try rig.undeliverable().isEmpty)
            #expect(try await rig.log.alertDeliveryStatus().pending.map(\.alertID) == [alert.alertID])
            let channel = try #require(TelegramChannelStatus.read(forLog: rig.log.path))
            #expect(channel.blockedReason?.contains(reasonPart) == true)
            #expect(channel.blockedReason?.contains(rig.telegram.token) == false)

            try rig.server.start()
            let broken = try await rig.server.get("/api/health/detailed")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(broken.body.utf8)) as? [String: Any])
            let telegram = try #require(object["telegram"] as? [String: Any])
            #expect(telegram["broken"] as? Bool == true)
            #expect(telegram["blocked_since"] is String)
            #expect(telegram["undelivered_alerts"] as? Int == 1)
            let reasons = object["reasons"] as? [String] ?? []
            #expect(reasons.contains { $0.hasPrefix("Telegram refuses alerts: ") && $0.contains(reasonPart) }, "\(reasons)")
            #expect(!broken.body.contains(rig.telegram.token))

            // The owner unblocks the bot: the next passes (after the backoff) deliver what waited.
            try await rig.telegram.setMode("ok")
            try await rig.deliver(deliverer) { try rig.delivered()[alert.alertID] != nil }
            let healed = try await rig.server.get("/api/health/detailed")
            rig.server.stop()
            let after = try #require(try JSONSerialization.jsonObject(with: Data(healed.body.utf8)) as? [String: Any])
            #expect((after["telegram"] as? [String: Any])?["broken"] as? Bool == false)
            #expect(!(after["reasons"] as? [String] ?? []).contains { $0.hasPrefix("Telegram refuses alerts") })
        }
        #expect(try rig.delivered()[alert.alertID]?.outcome == .sent)
        #expect(try rig.undeliverable().isEmpty)
        #expect(try await rig.telegram.messages().count == 1)
        #expect(TelegramChannelStatus.read(forLog: rig.log.path)?.blockedReason == nil)
    }

    /// Only a refusal of the message itself is recorded as undeliverable, and health says Telegram is broken.
    @Test func aMessageTelegramRefusesForGoodIsUndeliverableAndHealthSaysBroken() async throws {
        let rig = try Rig()
        try await rig.telegram.setMode("too-long")
        let alert = try rig.raise("crm_stopped")
        let pass = try await rig.pass()
        #expect(pass.undeliverable == 1)
        let refused = try rig.undeliverable()
        #expect(refused.map(\.alertID) == [alert.alertID])
        #expect(refused.first?.reason.contains("message is too long") == true)
        #expect(try await rig.log.alertDeliveryStatus().refusal != nil)
        #expect(TelegramChannelStatus.read(forLog: rig.log.path)?.blockedReason == nil, "the channel itself works")

        try rig.server.start()
        let health = try await rig.server.get("/api/health/detailed")
        rig.server.stop()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(health.body.utf8)) as? [String: Any])
        #expect((object["telegram"] as? [String: Any])?["broken"] as? Bool == true)
        let reasons = object["reasons"] as? [String] ?? []
        #expect(reasons.contains { $0.hasPrefix("Telegram refuses alerts: ") && $0.contains("too long") }, "\(reasons)")
    }

    @Test func healthCountsAlertsWaitingForTelegramOverAMinute() async throws {
        let rig = try Rig()
        let past = Timestamp(millisecondsSinceEpoch: SystemClock().now().millisecondsSinceEpoch - 120_000)
        let earlier = try EventLog.open(path: rig.server.dbPath, clock: ManualClock(past))
        _ = try earlier.append(
            .alertRaised(
                AlertRaised(
                    alertID: UUIDv7.make(at: past), kind: "disk_low", severity: .warning, dedupeKey: "disk_low",
                    message: "free disk is low", subject: nil)))
        _ = try rig.raise("crm_failures")  // a minute younger: waiting, but not late yet
        try rig.server.start()
        let health = try await rig.server.get("/api/health/detailed")
        rig.server.stop()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(health.body.utf8)) as? [String: Any])
        let telegram = try #require(object["telegram"] as? [String: Any])
        #expect(telegram["undelivered_alerts"] as? Int == 2)
        #expect(telegram["broken"] as? Bool == false)
        #expect(telegram["last_delivery"] is NSNull)
        #expect((object["reasons"] as? [String] ?? []).contains("2 alerts waiting for Telegram"), "\(object)")
    }

    @Test func aMigratedGroupGetsTheAlertInTheNewChatAfterARestartToo() async throws {
        let rig = try Rig()
        try await rig.telegram.setMode("migrate")
        let first = try rig.raise("crm_failures")
        #expect(try await rig.pass().sent == 1)
        let second = try rig.raise("disk_low")
        #expect(try await rig.pass().sent == 1, "a new process reads the migrated chat")
        let messages = try await rig.telegram.messages()
        #expect(messages.count == 2)
        #expect(messages.allSatisfy { ($0["chat_id"] as? NSNumber)?.int64Value == FakeTelegramProcess.migratedChatID })
        #expect(Set(try rig.delivered().keys) == [first.alertID, second.alertID])
        let file = rig.server.dbPath + ".telegram-chat.json"
        let permissions = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber
        #expect(permissions?.intValue == 0o600)
    }

    @Test func manyAlertsAtOnceBecomeOneDigest() async throws {
        let rig = try Rig()
        let alerts = try (1...8).map { try rig.raise("lead_dead:lead-\($0)", subject: "lead-\($0)") }
        let pass = try await rig.pass()
        #expect(pass.sent == 8 && pass.messages == 1)
        let messages = try await rig.telegram.messages()
        #expect(messages.count == 1)
        #expect((messages.first?["text"] as? String)?.contains("Alert digest") == true)
        let delivered = try rig.delivered()
        #expect(Set(delivered.keys) == Set(alerts.map(\.alertID)))
        #expect(Set(delivered.values.map(\.messageIDs)).count == 1, "a digest's alerts share its message ids")
    }

    @Test func aResolutionIsSentOnlyForARaiseThatWasSentEvenAfterARestart() async throws {
        let rig = try Rig()
        let sent = try rig.raise("crm_failures")
        #expect(try await rig.pass().sent == 1)
        // A new process (its throttle empty) reads from the log that the raise was sent.
        try rig.resolve(sent)
        let firstOfB = try rig.raise("unclean_restart")
        let secondOfB = try rig.raise("unclean_restart")
        try rig.resolve(secondOfB)
        let pass = try await rig.pass()
        #expect(pass.sent == 2 && pass.suppressed == 2, "\(pass)")
        let delivered = try rig.delivered()
        #expect(delivered[firstOfB.alertID]?.outcome == .sent)
        #expect(delivered[secondOfB.alertID]?.outcome == .suppressed, "a repeat within the window")
        #expect(delivered[secondOfB.alertID]?.messageIDs == [])
        let texts = try await rig.telegram.messages().compactMap { $0["text"] as? String }
        #expect(texts.filter { $0.contains("Resolved") }.count == 1, "only the resolution of the sent raise: \(texts)")
        #expect(texts.contains { $0.contains("Resolved") && $0.contains("crm_failures is over") })
    }

    @Test func hostileAlertTextArrivesAsText() async throws {
        let rig = try Rig()
        let hostile = "CRM said <b>& </code><script>"
        _ = try rig.raise("crm_failures", message: hostile, subject: "a&b<c>")
        #expect(try await rig.pass().sent == 1)
        let message = try #require(try await rig.telegram.messages().first)
        #expect(message["parse_mode"] as? String == "HTML")
        let text = try #require(message["text"] as? String)
        #expect(text.contains("CRM said &lt;b&gt;&amp; &lt;/code&gt;&lt;script&gt;"))
        #expect(text.contains("a&amp;b&lt;c&gt;"))
    }
}

/// The nightly report's `ReportProduced` rides the same pipeline: its summary goes out once, alone (never folded into a
/// digest, never held back as a repeat), is recorded like an alert's delivery, and is never an open alert.
extension AlertDeliveryTests {
    @Test func aReportSummaryGoesOutOnceAloneBesideADigestAndIsNotAnOpenAlert() async throws {
        let rig = try Rig()
        defer { rig.telegram.stop() }
        for index in 0..<7 { try rig.raise("kind_\(index)") }
        let produced = ReportProduced(
            reportID: UUIDv7.make(at: SystemClock().now()), day: "2026-11-28", timeZone: "Europe/Moscow",
            summary: ReportSummary(
                received: 10, delivered: 6, deliveredLate: 1, pending: 2, dead: 1, spam: 1, savedByRetries: 2,
                leadCost: "150", currency: "RUB", restarts: 3, uncleanRestarts: 1, alertsRaised: 7),
            reportSHA256: ContentDigest.sha256("{}"), run: .nightly)
        #expect(try await rig.log.recordReport(produced) != nil)
        #expect(try await rig.log.recordReport(produced) == nil, "a second report of the same day is refused")

        let pass = try await rig.pass()
        #expect(pass.sent == 8)
        let texts = try await rig.telegram.messages().compactMap { $0["text"] as? String }
        #expect(texts.count == 2, "one digest and the report: \(texts)")
        let summary = try #require(texts.first { $0.contains("Lead report for 2026-11-28") })
        #expect(!summary.contains("Alert digest"))
        #expect(summary.contains("Lost: 1 — 150 RUB"))
        #expect(summary.contains("Pending, at risk: 2 — 300 RUB"))
        #expect(summary.contains("Saved by retries: 2 — 300 RUB"))
        #expect(summary.contains("Restarts: 3 (unclean 1)"))
        #expect(summary.contains("Check: 10 = 6 + 2 + 1 + 1"))
        #expect(try rig.delivered()[produced.reportID]?.outcome == .sent)
        #expect(try await rig.log.openAlerts().values.allSatisfy { $0.raised.alertID != produced.reportID })

        #expect(try await rig.pass() == DeliveryPass(), "nothing twice")
        #expect(try await rig.telegram.messages().count == 2)
    }
}
