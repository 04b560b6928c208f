import LedgerCore
import LedgerStore

extension EventStore {
    /// Which of `days` already have a `ReportProduced`: one read of the stream for a scheduler pass's whole window.
    public func producedReportDays(among days: [String]) async throws(StoreError) -> Set<String> {
        guard !days.isEmpty else { return [] }
        let wanted = Set(days)
        return Set(try Self.reports(in: try await events(Self.reportsQuery)).map(\.day).filter(wanted.contains))
    }

    /// Appends `produced` unless a report of the same day is already in the log, checked under the append lock in
    /// the same transaction: two passes, two processes or a clock gone backwards can never produce a day twice.
    /// Returns the event written, or nil when the day already had one (nothing written).
    @discardableResult
    public func recordReport(_ produced: ReportProduced) async throws(StoreError) -> RecordedEvent? {
        try await append(afterReading: Self.reportsQuery) { rows, _ throws(StoreError) in
            try Self.reports(in: rows).contains { $0.day == produced.day }
                ? [] : [PendingEvent(.reportProduced(produced))]
        }.first
    }

    /// `AlertRaised` recorded in [`from`, `to`), counted by kind, at most `StreamFold.raisedPerDayScan` of them.
    /// Only raises: resolutions, deliveries and the nightly report's own `ReportProduced` in the same stream are not
    /// alerts raised.
    public func alertsRaised(from: Timestamp, to: Timestamp) async throws(StoreError) -> [String: Int] {
        let rows = try await newest(
            inStream: SystemStream.alerts, type: .alertRaised, from: from, to: to, limit: StreamFold.raisedPerDayScan)
        var counts: [String: Int] = [:]
        for row in rows {
            guard case .alertRaised(let raised) = try StreamFold.decode(row) else { continue }
            counts[raised.kind, default: 0] += 1
        }
        return counts
    }

    /// When the log's first event was recorded; nil for an empty log. A report is never produced for a day that
    /// ended before it: the ledger was not there to see it.
    public func firstEventAt() async throws(StoreError) -> Timestamp? {
        try await events(EventQuery(limit: 1)).first?.recordedAt
    }

    /// The newest reports: one a day, so a page of them reaches back years, further than any scheduler's window or
    /// clock step.
    private static var reportsQuery: EventQuery {
        EventQuery(stream: SystemStream.alerts, type: .reportProduced, limit: StreamFold.reportScan, order: .newestFirst)
    }

    private static func reports(in rows: [RecordedEvent]) throws(StoreError) -> [ReportProduced] {
        var reports: [ReportProduced] = []
        for row in rows {
            if case .reportProduced(let produced) = try StreamFold.decode(row) { reports.append(produced) }
        }
        return reports
    }
}
