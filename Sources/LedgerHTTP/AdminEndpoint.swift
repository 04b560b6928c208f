import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import LedgerCore
import LedgerProjections
import LedgerStore

/// `/api/admin/*`: the auditor's and owner's API, behind a bearer token. Lead contact data appears here and nowhere
/// else on the HTTP surface.
struct AdminEndpoint: Sendable {
    let log: any EventStore
    let runner: ProjectionRunner
    let token: Secret?
    let reportSettings: LostLeadCostReport.Settings
    /// Default page size of `/api/admin/events` when `limit` is absent. Larger values are clamped to the log's page
    /// size (`LEADLEDGER_MAX_PAGE_SIZE`).
    static let defaultEventsLimit = 100

    /// nil when the request may proceed; otherwise the 503 (API disabled) or 401 (no or wrong token) to send.
    func refusal(_ request: Request) -> Response? {
        guard let token else {
            return JSONResponse.error(.serviceUnavailable, "admin API disabled: LEADLEDGER_ADMIN_TOKEN is not set")
        }
        let header = request.headers[.authorization] ?? ""
        guard header.hasPrefix("Bearer "), Self.sameToken(String(header.dropFirst("Bearer ".count)), token.value) else {
            return JSONResponse.error(.unauthorized, "a valid bearer token is required", headers: [.wwwAuthenticate: "Bearer"])
        }
        return nil
    }

    /// Compares SHA-256 digests in constant time, so neither the length nor the content of the token leaks through
    /// timing.
    static func sameToken(_ given: String, _ expected: String) -> Bool {
        let left = Array(SHA256.hash(data: Array(given.utf8)))
        let right = Array(SHA256.hash(data: Array(expected.utf8)))
        var difference: UInt8 = 0
        for index in 0..<left.count { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    /// Brings the read models up to the log's head before a read that must not show stale state; nil when done,
    /// else the 503 to send.
    func catchUp() async -> Response? {
        do {
            try await runner.catchUp()
            return nil
        } catch {
            return JSONResponse.error(.serviceUnavailable, "the read models cannot be brought up to date; retry shortly")
        }
    }

    /// Call after `catchUp()`, on the read lane.
    func lead(_ id: String?) async -> Response {
        guard let id, let leadID = LeadID(id) else { return JSONResponse.error(.badRequest, "not a lead id", field: "id") }
        do {
            let timeline = try await log.stream(leadID.description)
            guard !timeline.isEmpty else { return JSONResponse.error(.notFound, "no such lead", field: "id") }
            let entry = try RetryQueue(store: runner.store).entry(leadID)
            var audit: [[String: Any]] = []
            for event in timeline { audit.append(try await log.auditObject(event)) }
            var object: [String: Any] = ["lead_id": leadID.description, "timeline": audit]
            if let entry {
                object["state"] = entry.state.rawValue
                object["attempts"] = entry.attempts
                object["failures"] = entry.failures
                object["next_attempt_at"] = entry.nextAttemptAt?.iso8601 ?? NSNull()
                object["crm_lead_id"] = entry.crmLeadID.map { $0 as Any } ?? NSNull()
            }
            return JSONResponse.make(.ok, object: object)
        } catch {
            return JSONResponse.error(.serviceUnavailable, "the event log cannot be read")
        }
    }

    func events(_ request: Request) async -> Response {
        let query = request.uri.queryParameters
        let afterSeq = query.get("after_seq").map { Int64($0) } ?? 0
        let limit = query.get("limit").map { Int($0) } ?? Self.defaultEventsLimit
        guard let afterSeq, afterSeq >= 0 else {
            return JSONResponse.error(.badRequest, "after_seq must be a non-negative integer", field: "after_seq")
        }
        guard let limit, limit >= 1 else {
            return JSONResponse.error(.badRequest, "limit must be a positive integer", field: "limit")
        }
        do {
            let page = try await log.events(EventQuery(afterSeq: afterSeq, limit: limit))
            var audit: [[String: Any]] = []
            for event in page { audit.append(try await log.auditObject(event)) }
            var object: [String: Any] = ["events": audit]
            object["next_after_seq"] = page.last?.seq ?? afterSeq
            return JSONResponse.make(.ok, object: object)
        } catch {
            return JSONResponse.error(.serviceUnavailable, "the event log cannot be read")
        }
    }

    /// Call after `catchUp()`, on the read lane.
    func dailyReport(_ request: Request) async -> Response {
        let query = request.uri.queryParameters
        let now = SystemClock().now()
        let day: ReportDay
        if let text = query.get("day") {
            guard let parsed = ReportDay(text, timeZone: reportSettings.timeZone) else {
                return JSONResponse.error(.badRequest, "day must be a date YYYY-MM-DD", field: "day")
            }
            day = parsed
        } else {
            day = ReportDay(containing: now, timeZone: reportSettings.timeZone).previous()
        }
        guard let format = ReportFormat(rawValue: query.get("format") ?? "json") else {
            return JSONResponse.error(.badRequest, "format must be md, csv, json or html", field: "format")
        }
        do {
            var report = try LostLeadCostReport.build(runner.store, day: day, settings: reportSettings, now: now)
            report.add(try await LostLeadCostReport.DayOperations.read(log, day: day))
            let contentType =
                switch format {
                case .json: "application/json; charset=utf-8"
                case .csv: "text/csv; charset=utf-8"
                case .md: "text/markdown; charset=utf-8"
                case .html: "text/html; charset=utf-8"
                }
            return Response(
                status: .ok, headers: [.contentType: contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: try format.render(report))))
        } catch {
            return JSONResponse.error(.serviceUnavailable, "the report cannot be built now")
        }
    }

    /// Call after `catchUp()`, on the read lane.
    func requeue(_ id: String?) async -> Response {
        guard let id, let leadID = LeadID(id) else { return JSONResponse.error(.badRequest, "not a lead id", field: "id") }
        do {
            guard let entry = try RetryQueue(store: runner.store).entry(leadID) else {
                return JSONResponse.error(.notFound, "no such lead", field: "id")
            }
            guard entry.state == .dead else {
                return JSONResponse.error(.conflict, "the lead is \(entry.state.rawValue), not dead", field: "id")
            }
            let recorded = try await log.append([
                PendingEvent(.leadRequeued(LeadRequeued(leadID: leadID, requestedBy: "admin-api")))
            ])
            return JSONResponse.make(
                .ok, object: ["lead_id": leadID.description, "status": "requeued", "seq": recorded.first?.seq ?? 0])
        } catch {
            return JSONResponse.error(.serviceUnavailable, "the requeue could not be recorded; retry shortly")
        }
    }
}
