import Foundation
import LedgerCore
import LedgerProjections
import LedgerStore
import LedgerTelegram
import Logging

/// Delivers pending alerts (and the nightly report's summary) to Telegram and records what became of each, one pass
/// at a time.
///
/// A pass reads the pending alerts from the log (`EventStore.alertDeliveryStatus`, oldest first, at most
/// `maxAlertsPerPass`), asks the throttle which are worth a message (a resolution only when its raise was sent, which
/// the log remembers across restarts), records the rest as `suppressed`, and sends: one message per alert, or one
/// digest when more than `LEADLEDGER_ALERT_DIGEST_OVER` are due. After each message it appends `AlertDelivered` (sent,
/// with the message ids) or `AlertUndeliverable` (a permanent refusal). Flood control and transient failures append
/// nothing: the alerts stay pending and the next pass tries again (after `retry_after` exactly, or a backoff of 1 s
/// doubling to 60 s).
///
/// A channel the owner must fix (a revoked token, a blocked or kicked bot, an unknown chat: `TelegramReply.blocked`)
/// records nothing either: the alerts wait, `TelegramChannelStatus` tells health why, and passes keep trying on the
/// same backoff, so they go out by themselves once the bot is unblocked, or at once after a restart with a fixed
/// token or chat. Only a refusal of the message itself ends in `AlertUndeliverable`.
///
/// A send whose reply was lost (a timeout after the request left) may have been delivered; it is sent again, so the
/// owner may rarely see an alert twice, recognisable by its short id. The same holds for the earlier parts of a split
/// message whose later part failed.
public actor AlertDeliverer {
    /// Alerts looked at per pass; the rest wait for the next one.
    public static let maxAlertsPerPass = 100
    /// Pacing waits up to this long inside a pass (one message per second, the end of a short flood pause); a longer
    /// one ends the pass.
    static let maxInlineWait: Duration = .seconds(2)
    static let firstBackoff: Duration = .seconds(1)
    static let maxBackoff: Duration = .seconds(60)

    let log: any EventStore
    /// The path prefix of this host's status files: the Telegram channel's status and a migrated chat are kept there.
    let localState: String
    let client: TelegramClient
    let configuredChat: String
    private(set) var chat: TelegramChatID
    private var throttle: AlertThrottle
    let rendering: AlertRendering
    let clock: any LedgerClock
    let logger: Logger
    /// Older alerts are recorded as suppressed, not sent (`LEADLEDGER_ALERT_MAX_AGE_S`).
    let maxAge: Int64
    /// The throttle's word on each pending alert, asked once per process: asking again would count a repeat twice.
    private var decisions: [String: AlertThrottle.Decision] = [:]
    private var backoff: Duration?
    private var retryNotBefore: Timestamp?
    /// The alert stream's version when a pass last found nothing pending: unchanged, the next pass need not read it.
    private var idleVersion: Int64?
    /// Why and since when the channel cannot reach the owner; nil while it works.
    private(set) var blocked: (reason: String, since: Timestamp)?

    /// - Parameters:
    ///   - client: the Bot API; the deliverer owns it from here and shuts it down in `shutdown()`.
    ///   - chatID: `LEADLEDGER_TELEGRAM_CHAT_ID` as configured (a supergroup it migrated to is remembered beside the
    ///     log and used instead).
    ///   - waitingLeads: leads pending or in flight, when known (the alert texts' "leads affected").
    public init(
        log: any EventStore, localState: String, client: TelegramClient, chatID: String, settings: AlertSettings, locale: String,
        timeZone: TimeZone, waitingLeads: @escaping @Sendable () -> Int? = { nil }, clock: any LedgerClock = SystemClock(),
        logger: Logger
    ) throws {
        guard let chat = TelegramChatFile.chat(configured: chatID, logPath: localState) else {
            throw AlertDeliveryError(message: "LEADLEDGER_TELEGRAM_CHAT_ID is not a chat id: \(chatID)")
        }
        self.log = log
        self.localState = localState
        self.configuredChat = chatID
        self.chat = chat
        self.client = client
        self.throttle = AlertThrottle(
            policy: AlertThrottlePolicy(
                repeatWindow: .seconds(settings.repeatWindowSeconds), digestThreshold: settings.digestOver))
        let alertLocale = AlertLocale(rawValue: locale) ?? .ru
        self.rendering = AlertRendering(
            text: AlertText(locale: alertLocale, timeZone: timeZone), report: ReportSummaryText(locale: alertLocale),
            waitingLeads: waitingLeads)
        self.clock = clock
        self.logger = logger
        self.maxAge = Int64(settings.maxAgeSeconds) * 1000
        // A new run may have a fixed token or chat: the channel counts as working until Telegram says otherwise.
        Self.publish(blocked: nil, localState: localState, at: clock.now(), logger: logger)
        if case .id(let migrated) = chat, String(migrated) != chatID {
            logger.warning(
                "Telegram alerts go to supergroup \(migrated), which chat \(chatID) became: set LEADLEDGER_TELEGRAM_CHAT_ID=\(migrated)"
            )
        }
    }

    /// Closes the HTTP client. Call once, when the service ends.
    public func shutdown() async {
        await client.shutdown()
    }

    /// One pass: decide, send, record. Returns what it recorded.
    @discardableResult
    public func deliverPending() async throws -> DeliveryPass {
        var pass = DeliveryPass()
        let now = clock.now()
        if let retryNotBefore, now < retryNotBefore { return pass }
        guard throttle.nextSendAllowed(at: now) <= now.adding(milliseconds: Self.maxInlineWait.milliseconds) else { return pass }
        let version = try await log.alertStreamVersion()
        if version == idleVersion { return pass }
        let status = try await log.alertDeliveryStatus()
        let batch = status.pending.prefix(Self.maxAlertsPerPass)
        let pendingIDs = Set(status.pending.map(\.alertID))
        decisions = decisions.filter { pendingIDs.contains($0.key) }
        guard !batch.isEmpty else {
            idleVersion = version
            return pass
        }
        idleVersion = nil
        var due: [DueAlert] = []
        var suppressed: [String] = []
        for pending in batch {
            if now.millisecondsSinceEpoch - pending.recordedAt.millisecondsSinceEpoch > maxAge {
                suppressed.append(pending.alertID)
                continue
            }
            let decision = decisions[pending.alertID] ?? decide(pending, sent: status.sentAlertIDs)
            decisions[pending.alertID] = decision
            switch decision {
            case .send(let occurrences): due.append(DueAlert(pending: pending, occurrences: occurrences))
            case .suppress: suppressed.append(pending.alertID)
            }
        }
        if !suppressed.isEmpty {
            try await record(
                suppressed.map { .alertDelivered(AlertDelivered(alertID: $0, outcome: .suppressed, messageIDs: [])) })
            pass.suppressed = suppressed.count
        }
        // A nightly report is its own message, never folded into a digest with alerts.
        let reports = due.filter { if case .report = $0.pending.event { true } else { false } }
        let alerts = due.filter { if case .report = $0.pending.event { false } else { true } }
        var goOn = true
        switch throttle.plan(alerts) {
        case .individually(let alerts):
            for alert in alerts {
                goOn = try await send([alert], digest: false, &pass)
                guard goOn else { break }
            }
        case .digest(let alerts):
            goOn = try await send(alerts, digest: true, &pass)
        }
        for report in reports where goOn {
            goOn = try await send([report], digest: false, &pass)
        }
        return pass
    }

    /// The throttle's decision for a raise; for a resolution, whether its raise was sent (recorded in the log, or
    /// decided in this process and still on its way).
    private func decide(_ pending: PendingAlert, sent: Set<String>) -> AlertThrottle.Decision {
        switch pending.event {
        case .raised(let raised):
            return throttle.raised(dedupeKey: raised.dedupeKey, at: pending.recordedAt)
        case .resolved(let resolved, _, _):
            _ = throttle.resolved(dedupeKey: resolved.dedupeKey, at: pending.recordedAt)
            var raiseSent = sent.contains(resolved.resolvesAlertID)
            if case .send? = decisions[resolved.resolvesAlertID] { raiseSent = true }
            return raiseSent ? .send(occurrences: 1) : .suppress(occurrences: 0)
        case .report:
            // Once a day by construction: nothing to hold back as a repeat.
            return .send(occurrences: 1)
        }
    }

    /// Sends one message (split into parts when long) for `alerts` and records the outcome for each of them.
    /// Returns whether the pass may go on.
    @discardableResult
    private func send(_ alerts: [DueAlert], digest: Bool, _ pass: inout DeliveryPass) async throws -> Bool {
        let text = rendering.message(alerts, digest: digest, now: clock.now())
        var messageIDs: [Int64] = []
        for part in rendering.text.splitter.split(text) {
            switch await sendPart(part) {
            case .delivered(let messageID):
                messageIDs.append(messageID)
            case .stop:
                return false
            case .blocked(let reason):
                let bounded = Self.bounded(reason)
                if blocked == nil {
                    logger.error("Telegram cannot reach the owner: \(bounded); \(alerts.count) alert(s) wait until it can")
                    blocked = (bounded, clock.now())
                    publishChannel()
                }
                failed()
                return false
            case .refused(let reason):
                let bounded = Self.bounded(reason)
                logger.error("Telegram refuses alerts: \(bounded); \(alerts.count) alert(s) recorded as undeliverable")
                try await record(
                    alerts.map { .alertUndeliverable(AlertUndeliverable(alertID: $0.pending.alertID, reason: bounded)) })
                pass.undeliverable += alerts.count
                failed()
                return false
            }
        }
        backoff = nil
        retryNotBefore = nil
        if let wasBlocked = blocked {
            logger.notice("Telegram reaches the owner again after \(wasBlocked.reason); the alerts that waited follow")
            blocked = nil
            publishChannel()
        }
        try await record(
            alerts.map { .alertDelivered(AlertDelivered(alertID: $0.pending.alertID, outcome: .sent, messageIDs: messageIDs)) })
        pass.sent += alerts.count
        pass.messages += messageIDs.count
        return true
    }

    private enum PartOutcome {
        case delivered(Int64)
        /// Flood control, a transient failure or shutdown: the alerts stay pending.
        case stop
        /// The channel needs the owner (`TelegramReply.blocked`): the alerts stay pending.
        case blocked(String)
        case refused(String)
    }

    /// One part: resent to the new chat after a migration, resent once as plain text after a markup error.
    private func sendPart(_ html: String) async -> PartOutcome {
        var text = html
        var parseMode: TelegramParseMode? = .html
        var migrations = 0
        while true {
            guard await waitForPacing() else { return .stop }
            let reply = await client.sendMessage(chatID: chat, text: text, parseMode: parseMode)
            let now = clock.now()
            switch reply {
            case .floodControl(let retryAfter):
                // Not counted as a send: Telegram paused the bot; nothing goes out before retry_after.
                throttle.recordFloodControl(retryAfter: retryAfter, at: now)
                logger.warning("Telegram flood control: alerts wait \(retryAfter.components.seconds) s")
                return .stop
            case .delivered(let messageID):
                throttle.recordSend(at: now)
                return .delivered(messageID)
            case .migrated(let newChat) where migrations < 2:
                throttle.recordSend(at: now)
                migrations += 1
                migrate(to: newChat)
            case .unparsableMarkup where parseMode != nil:
                throttle.recordSend(at: now)
                logger.warning("Telegram could not parse an alert's markup; sending it as plain text")
                text = TelegramHTML.plainText(text)
                parseMode = nil
            case .transient(let reason):
                throttle.recordSend(at: now)
                failed()
                logger.warning("Telegram unavailable, alerts wait \(backoff?.components.seconds ?? 0) s: \(reason)")
                return .stop
            case .blocked(let reason):
                throttle.recordSend(at: now)
                return .blocked(reason)
            case .migrated, .unparsableMarkup, .permanent:
                throttle.recordSend(at: now)
                return .refused(reply.reason)
            }
        }
    }

    /// Sleeps until the throttle allows a message, if that is soon. False when it is not, or on cancellation.
    private func waitForPacing() async -> Bool {
        let now = clock.now()
        let wait = throttle.nextSendAllowed(at: now).millisecondsSinceEpoch - now.millisecondsSinceEpoch
        guard wait > 0 else { return true }
        guard wait <= Self.maxInlineWait.milliseconds else { return false }
        await clock.sleep(for: .milliseconds(wait))
        return !Task.isCancelled
    }

    /// A transient or permanent failure: wait 1 s, doubling to 60 s, before the next pass sends.
    private func failed() {
        let next = backoff.map { min($0 * 2, Self.maxBackoff) } ?? Self.firstBackoff
        backoff = next
        retryNotBefore = clock.now().adding(milliseconds: next.milliseconds)
    }

    private func publishChannel() {
        Self.publish(blocked: blocked, localState: localState, at: clock.now(), logger: logger)
    }

    /// Tells health whether the channel is blocked. Failing to write it must not stop delivery.
    private static func publish(
        blocked: (reason: String, since: Timestamp)?, localState: String, at now: Timestamp, logger: Logger
    ) {
        let status = TelegramChannelStatus(blockedReason: blocked?.reason, blockedSince: blocked?.since, updatedAt: now)
        do {
            try status.write(forLog: localState)
        } catch {
            logger.warning("cannot write the Telegram channel status beside the log: \(error)")
        }
    }

    private func migrate(to newChat: Int64) {
        chat = .id(newChat)
        logger.warning(
            "Telegram chat \(configuredChat) was upgraded to supergroup \(newChat): alerts go there now; set LEADLEDGER_TELEGRAM_CHAT_ID=\(newChat)"
        )
        do {
            try TelegramChatFile.save(configured: configuredChat, migratedTo: newChat, logPath: localState)
        } catch {
            logger.error("cannot save the migrated Telegram chat beside the log (a restart will ask Telegram again): \(error)")
        }
    }

    private func record(_ events: [LedgerEvent]) async throws {
        _ = try await log.append(events.map { PendingEvent($0) })
        ReactorMetrics.recorded(events)
    }

    /// At most `FieldLimits.shortText` bytes, cut at a character.
    static func bounded(_ reason: String) -> String {
        let text = reason.isEmpty ? "refused" : reason
        guard text.utf8.count > FieldLimits.shortText else { return text }
        var cut = ""
        for character in text {
            guard cut.utf8.count + character.utf8.count <= FieldLimits.shortText - 3 else { break }
            cut.append(character)
        }
        return cut + "…"
    }
}

/// Alert delivery cannot start.
public struct AlertDeliveryError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// What one pass recorded.
public struct DeliveryPass: Sendable, Equatable {
    /// Alerts recorded as sent.
    public var sent = 0
    /// Telegram messages those took.
    public var messages = 0
    public var suppressed = 0
    public var undeliverable = 0

    public init() {}
}
