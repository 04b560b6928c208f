import Foundation
import LedgerCore
import LedgerStore

/// Writes a realistic, seeded history of leads and their delivery outcomes through the public log API (the same
/// path ingest and the reactor use), for projection tests and the rebuild benchmark.
///
/// Per lead, by chance: delivered at the first attempt (on time), delivered after one or two failures (late),
/// still pending after a failure, left in flight, dead after a rejection, dead then requeued, erased; one in 40 is
/// recorded as spam and left alone. One alert per 400 leads. About 3.3 events per lead.
public struct LeadHistoryGenerator {
    public struct Summary: Sendable, Equatable {
        public var leads = 0
        public var events: Int64 = 0
        public var delivered = 0
        public var pending = 0
        public var inFlight = 0
        public var dead = 0
        public var spam = 0
        public var savedByRetries = 0

        public init() {}
    }

    public let log: EventLog
    public let clock: ManualClock
    /// Carried across `generate` calls, so successive calls continue one history instead of repeating it.
    private var random: SeededGenerator
    private var nextNumber = 0
    /// Leads planned so far, across `generate` calls and batches: one alert per 400 of them, whatever the batch size
    /// (`leadledger-bench seed` writes batches of 20).
    private var leadsPlanned = 0
    /// Leads per receive transaction (and per round of sync events).
    public var batchSize = 1000
    /// Time between two leads' arrivals.
    public var arrivalSpacingMilliseconds: Int64 = 1000

    public init(log: EventLog, clock: ManualClock, seed: UInt64) {
        self.log = log
        self.clock = clock
        self.random = SeededGenerator(seed: seed)
    }

    /// One-shot: a generator for `seed` that writes `leads` leads.
    @discardableResult
    public static func write(leads: Int, to log: EventLog, clock: ManualClock, seed: UInt64) throws -> Summary {
        var generator = LeadHistoryGenerator(log: log, clock: clock, seed: seed)
        return try generator.generate(leads: leads)
    }

    private static let sources = ["yandex", "vk", "google", "telegram", nil]
    private static let campaigns = ["autumn_sale", "brand", "retargeting"]

    /// Generates `leads` leads. Returns what the projections must end up showing.
    @discardableResult
    public mutating func generate(leads count: Int) throws -> Summary {
        var summary = Summary()
        var made = 0
        while made < count {
            let size = min(batchSize, count - made)
            let batchStart = clock.now()
            var leads: [NewLead] = []
            for index in 0..<size {
                let receivedAt = batchStart.adding(milliseconds: Int64(index) * arrivalSpacingMilliseconds)
                leads.append(Self.lead(number: nextNumber + made + index, at: receivedAt, random: &random))
            }
            clock.set(batchStart.adding(milliseconds: Int64(size) * arrivalSpacingMilliseconds))
            let receipts = try log.receive(leads)
            precondition(!receipts.contains(where: \.duplicate), "generated idempotency keys must be unique")
            summary.events += Int64(receipts.count)
            summary.leads += receipts.count
            var planned = leadsPlanned
            try writeOutcomes(
                for: zip(leads, receipts).map { ($0.1.leadID, $0.0.spam != nil) }, random: &random, planned: &planned,
                summary: &summary)
            leadsPlanned = planned
            made += size
        }
        nextNumber += count
        return summary
    }

    public static func lead(number: Int, at receivedAt: Timestamp, random: inout SeededGenerator) -> NewLead {
        let source = sources[Int(random.next() % UInt64(sources.count))]
        return NewLead(
            leadID: LeadID.make(at: receivedAt, using: &random), receivedAt: receivedAt,
            origin: number % 50 == 0 ? .import : .http, formID: "form-\(number % 3)",
            utm: UTM(source: source, medium: "cpc", campaign: campaigns[number % campaigns.count]),
            idempotencyKey: "gen-\(number)-\(random.next())",
            personal: PersonalData(
                name: "Клиент \(number)", phone: "+7916\(String(format: "%07d", number % 10_000_000))",
                email: "client\(number)@example.com", comment: "Перезвоните после 18:00", pageURL: "https://example.ru/landing",
                extra: ["city": "Москва"]),
            spam: number % 40 == 7 ? .honeypot : nil)
    }

    private enum Plan {
        case deliveredFirst
        case deliveredAfterFailures(Int)
        case pendingAfterFailure, inFlight, dead, deadRequeued, erased, spam
    }

    /// Three rounds, each one transaction at its own time: first attempts 30 s after the batch, retries 10 min later,
    /// requeues and erasures an hour later. Delays therefore straddle the 5-minute SLA.
    private func writeOutcomes(
        for leads: [(LeadID, spam: Bool)], random: inout SeededGenerator, planned: inout Int, summary: inout Summary
    ) throws {
        var plans: [(LeadID, Plan)] = []
        for (lead, spam) in leads {
            // Spam is final on arrival: the reactor never touches it, so no outcome follows.
            if spam {
                plans.append((lead, .spam))
                continue
            }
            let roll = random.next() % 100
            let plan: Plan =
                switch roll {
                case 0..<70: .deliveredFirst
                case 70..<82: .deliveredAfterFailures(1)
                case 82..<85: .deliveredAfterFailures(2)
                case 85..<90: .pendingAfterFailure
                case 90..<93: .inFlight
                case 93..<97: .dead
                case 97..<99: .deadRequeued
                default: .erased
                }
            plans.append((lead, plan))
        }
        var round1: [PendingEvent] = []
        var round2: [PendingEvent] = []
        var round3: [PendingEvent] = []
        for (lead, plan) in plans {
            let retryAt = clock.now().adding(seconds: 600)
            switch plan {
            case .deliveredFirst:
                round1 += attempt(lead, 1) + success(lead, 1)
                summary.delivered += 1
            case .deliveredAfterFailures(let failures):
                round1 += attempt(lead, 1) + failure(lead, 1, retryAt: retryAt)
                for number in 2...failures + 1 where number <= failures {
                    round2 += attempt(lead, number) + failure(lead, number, retryAt: retryAt.adding(seconds: 60))
                }
                round2 += attempt(lead, failures + 1) + success(lead, failures + 1)
                // Its note: refused once (retryable), then added, or refused for good.
                round2 += [
                    SyncEventBuilders.noteAttempted(lead, 1), SyncEventBuilders.noteFailed(lead, 1, retryAt: retryAt),
                ]
                round3 += [
                    SyncEventBuilders.noteAttempted(lead, 2),
                    failures == 1 ? SyncEventBuilders.noteAdded(lead, 2) : SyncEventBuilders.noteFailed(lead, 2, retryAt: nil),
                ]
                summary.delivered += 1
                summary.savedByRetries += 1
            case .pendingAfterFailure:
                round1 += attempt(lead, 1) + failure(lead, 1, retryAt: retryAt.adding(seconds: 86_400))
                summary.pending += 1
            case .inFlight:
                round1 += attempt(lead, 1)
                summary.inFlight += 1
            case .dead:
                round1 += attempt(lead, 1) + failure(lead, 1, retryAt: nil)
                summary.dead += 1
            case .deadRequeued:
                round1 += attempt(lead, 1) + failure(lead, 1, retryAt: nil)
                round3.append(PendingEvent(.leadRequeued(LeadRequeued(leadID: lead, requestedBy: "generator"))))
                summary.pending += 1
            case .erased:
                round1 += attempt(lead, 1) + success(lead, 1)
                round3.append(PendingEvent(.leadErased(LeadErased(leadID: lead, reason: "consent withdrawn"))))
                summary.delivered += 1
            case .spam:
                summary.spam += 1
            }
            planned += 1
            if planned % 400 == 0 {
                round1.append(
                    PendingEvent(
                        .alertRaised(
                            AlertRaised(
                                alertID: "generated-\(planned)", kind: "crm_failures", severity: .warning,
                                dedupeKey: "crm_failures", message: "3 consecutive AmoCRM failures", subject: "amocrm"))))
                let resolutionID = UUIDv7.make(at: clock.now())
                round1.append(
                    PendingEvent(
                        .alertResolved(
                            AlertResolved(
                                alertID: resolutionID, resolvesAlertID: "generated-\(planned)",
                                kind: "crm_failures", dedupeKey: "crm_failures", message: "AmoCRM answers again"))))
                // Delivery facts: the raise went out to Telegram (split in two), the resolution was suppressed, and a
                // later alert was refused for good.
                round1.append(
                    PendingEvent(
                        .alertDelivered(
                            AlertDelivered(
                                alertID: "generated-\(planned)", outcome: .sent, messageIDs: [Int64(planned), Int64(planned + 1)])
                        )))
                round1.append(
                    PendingEvent(.alertDelivered(AlertDelivered(alertID: resolutionID, outcome: .suppressed, messageIDs: []))))
                round1.append(
                    PendingEvent(
                        .alertUndeliverable(
                            AlertUndeliverable(
                                alertID: "generated-undeliverable-\(planned)",
                                reason: "HTTP 403: Forbidden: bot was blocked by the user"))))
                // A nightly report of a day of its own (one per day, as react writes them), already told to the owner.
                let reportID = UUIDv7.make(at: clock.now())
                let reportDay = Timestamp(millisecondsSinceEpoch: Int64(planned / 400) * 86_400_000).iso8601.prefix(10)
                round1.append(
                    PendingEvent(
                        .reportProduced(
                            ReportProduced(
                                reportID: reportID, day: String(reportDay), timeZone: "Europe/Moscow",
                                summary: ReportSummary(
                                    received: 5, delivered: 2, deliveredLate: 1, pending: 1, dead: 1, spam: 1,
                                    savedByRetries: 1, leadCost: "100", currency: "RUB", restarts: 1, uncleanRestarts: 1,
                                    alertsRaised: 1),
                                reportSHA256: ContentDigest.sha256("generated-\(planned)"), run: .catchUp))))
                round1.append(
                    PendingEvent(.alertDelivered(AlertDelivered(alertID: reportID, outcome: .sent, messageIDs: [Int64(planned)])))
                )
                // A restart of react after a crash, and that run's clean stop: the process history of a live system.
                let instance = UUIDv7.make(at: clock.now())
                round1.append(
                    PendingEvent(
                        .processStarted(
                            ProcessStarted(
                                process: .react, instanceID: instance, pid: Int32(1000 + planned / 400), version: "generator",
                                previousInstanceID: "previous-\(planned)", previousEnded: .unclean))))
                round1.append(
                    PendingEvent(
                        .processStopped(
                            ProcessStopped(
                                process: .react, instanceID: instance, pid: Int32(1000 + planned / 400), reason: "shutdown signal"
                            )
                        )
                    ))
            }
        }
        for (round, delay) in [(round1, Int64(30_000)), (round2, 600_000), (round3, 3_600_000)] where !round.isEmpty {
            let before = clock.now()
            clock.set(before.adding(milliseconds: delay))
            for chunk in stride(from: 0, to: round.count, by: log.options.maxEventsPerAppend) {
                let slice = Array(round[chunk..<min(chunk + log.options.maxEventsPerAppend, round.count)])
                summary.events += Int64(try log.append(slice).count)
            }
            clock.set(before)
        }
    }

    private func attempt(_ lead: LeadID, _ number: Int) -> [PendingEvent] { [SyncEventBuilders.attempted(lead, number)] }

    private func failure(_ lead: LeadID, _ number: Int, retryAt: Timestamp?) -> [PendingEvent] {
        [SyncEventBuilders.failed(lead, number, retryAt: retryAt)]
    }

    private func success(_ lead: LeadID, _ number: Int) -> [PendingEvent] { [SyncEventBuilders.succeeded(lead, number)] }
}
