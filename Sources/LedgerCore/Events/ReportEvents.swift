import Foundation

/// Which pass of `react`'s report scheduler produced a day's report.
public enum ReportRun: String, Codable, Sendable, CaseIterable {
    /// At `LEADLEDGER_REPORT_AT`, or within a few minutes of it.
    case nightly
    /// Later: the reactor was down (or the clock jumped) over the scheduled time and made up for it.
    case catchUp = "catch_up"
}

/// A day's report in figures small enough for an event and a Telegram message: what the owner is told, the full
/// report being in the files (its JSON rendering's hash is on the event). Counts are leads; money is a count times
/// `lead_cost`. Reconciles by construction: received = delivered + pending + dead + spam.
public struct ReportSummary: Codable, Sendable, Equatable {
    public var received: Int
    public var delivered: Int
    public var deliveredLate: Int
    public var pending: Int
    public var dead: Int
    public var spam: Int
    public var savedByRetries: Int
    /// The lead cost as decimal text (`100`, `99.50`): exact, unlike a JSON number read back as a double.
    public var leadCost: String
    public var currency: String
    public var restarts: Int
    public var uncleanRestarts: Int
    public var alertsRaised: Int

    public init(
        received: Int, delivered: Int, deliveredLate: Int, pending: Int, dead: Int, spam: Int, savedByRetries: Int,
        leadCost: String, currency: String, restarts: Int, uncleanRestarts: Int, alertsRaised: Int
    ) {
        self.received = received
        self.delivered = delivered
        self.deliveredLate = deliveredLate
        self.pending = pending
        self.dead = dead
        self.spam = spam
        self.savedByRetries = savedByRetries
        self.leadCost = leadCost
        self.currency = currency
        self.restarts = restarts
        self.uncleanRestarts = uncleanRestarts
        self.alertsRaised = alertsRaised
    }

    public var deliveredOnTime: Int { delivered - deliveredLate }
    public var reconciles: Bool { received == delivered + pending + dead + spam }

    /// `count` leads at the lead cost.
    public func value(of count: Int) -> Decimal {
        (Decimal(string: leadCost, locale: Locale(identifier: "en_US_POSIX")) ?? 0) * Decimal(count)
    }

    enum CodingKeys: String, CodingKey {
        case received, delivered
        case deliveredLate = "delivered_late"
        case pending, dead, spam
        case savedByRetries = "saved_by_retries"
        case leadCost = "lead_cost"
        case currency, restarts
        case uncleanRestarts = "unclean_restarts"
        case alertsRaised = "alerts_raised"
    }

    func validate() throws {
        let counts: [(String, Int)] = [
            ("received", received), ("delivered", delivered), ("delivered_late", deliveredLate), ("pending", pending),
            ("dead", dead), ("spam", spam), ("saved_by_retries", savedByRetries), ("restarts", restarts),
            ("unclean_restarts", uncleanRestarts), ("alerts_raised", alertsRaised),
        ]
        for (field, count) in counts where count < 0 {
            throw EventValidationError(field: "summary.\(field)", reason: "negative")
        }
        func require(_ condition: Bool, _ field: String, _ reason: String) throws {
            if !condition { throw EventValidationError(field: "summary.\(field)", reason: reason) }
        }
        try require(reconciles, "received", "is not delivered + pending + dead + spam")
        try require(deliveredLate <= delivered, "delivered_late", "more than delivered")
        try require(savedByRetries <= delivered, "saved_by_retries", "more than delivered")
        try require(uncleanRestarts <= restarts, "unclean_restarts", "more than restarts")
        try require(
            leadCost.utf8.count <= 32 && leadCost.range(of: #"^[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) != nil,
            "lead_cost", "not a non-negative decimal like 100 or 99.50")
        try require(
            currency.count == 3 && currency.allSatisfy { $0.isASCII && $0.isUppercase }, "currency", "not an ISO 4217 code")
    }
}

/// `react` produced the lost-lead cost report of `day`: the files are written and the owner is to be told.
///
/// At most one per `day`, ever (the scheduler checks for one in the same write transaction that appends it), which is
/// what makes the nightly report exactly-once across restarts and clock changes. It lives in `system:alerts`, the
/// stream of what the owner is told, so the alert delivery pipeline sends its Telegram summary with the same retries
/// and bookkeeping: an `AlertDelivered` whose `alert_id` is this `report_id` answers it. It is not an alert: it is
/// never open, never throttled as a repeat, and never counted as "alerts raised".
public struct ReportProduced: LedgerEventPayload {
    public static let type = EventType.reportProduced
    public static let schemaVersion = 1

    /// A UUIDv7, like alert ids; deliveries name it.
    public var reportID: String
    /// `YYYY-MM-DD`, in `time_zone`.
    public var day: String
    public var timeZone: String
    public var summary: ReportSummary
    /// SHA-256 (lowercase hex) of the report's JSON rendering, the `YYYY-MM-DD.json` file written with it.
    public var reportSHA256: String
    public var run: ReportRun

    public var stream: String { SystemStream.alerts }

    public init(reportID: String, day: String, timeZone: String, summary: ReportSummary, reportSHA256: String, run: ReportRun) {
        self.reportID = reportID
        self.day = day
        self.timeZone = timeZone
        self.summary = summary
        self.reportSHA256 = reportSHA256
        self.run = run
    }

    enum CodingKeys: String, CodingKey {
        case reportID = "report_id"
        case day
        case timeZone = "time_zone"
        case summary
        case reportSHA256 = "report_sha256"
        case run
    }

    public func validate() throws {
        try require(!reportID.isEmpty && reportID.utf8.count <= FieldLimits.identifier, "report_id", "empty or too long")
        try require(day.range(of: #"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"#, options: .regularExpression) != nil, "day", "not YYYY-MM-DD")
        try require(!timeZone.isEmpty && timeZone.utf8.count <= FieldLimits.identifier, "time_zone", "empty or too long")
        try require(
            reportSHA256.range(of: #"^[0-9a-f]{64}$"#, options: .regularExpression) != nil, "report_sha256",
            "not 64 lowercase hex digits")
        try summary.validate()
    }
}
