import Foundation
import HTTPTypes
import Hummingbird
import LedgerCore
import LedgerProjections
import LedgerStore
import NIOCore

/// `GET /`: serves the dashboard page with headers that make it safe to leave open on any screen.
///
/// - `Content-Security-Policy`: nothing may load from anywhere (`default-src 'none'`); only the page's own inline
///   style and script run, and `fetch` may reach this origin alone (the requeue calls). It is also the proof that no
///   external resource can load: a browser would refuse it.
/// - `Cache-Control: no-store`: the page is a live view, and no proxy should keep a copy.
/// - `frame-ancestors 'none'`: no other site can frame the page and trick a click on a requeue button.
struct DashboardEndpoint: Sendable {
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src data:; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    let log: any EventStore
    let runner: ProjectionRunner
    let localState: String
    let rules: HealthAssessment.Context
    let report: LostLeadCostReport.Settings
    let adminEnabled: Bool
    let locale: String

    /// The page as it is now.
    func render(now: Timestamp) async -> String {
        let snapshot = await DashboardSnapshot.read(
            log: log, runner: runner, localState: localState, rules: rules, report: report, adminEnabled: adminEnabled, now: now)
        let text = DashboardText.forLocale(locale)
        return DashboardPage(
            snapshot: snapshot, text: text, format: DashboardFormat(timeZone: report.timeZone, language: text.language),
            timeZoneName: report.timeZone.identifier
        ).render()
    }

    func handle() async -> Response {
        let page = await render(now: SystemClock().now())
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: Self.contentSecurityPolicy, .xContentTypeOptions: "nosniff",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }
}
