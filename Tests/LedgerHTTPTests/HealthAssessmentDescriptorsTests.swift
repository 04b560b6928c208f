import Foundation
import LedgerCore
import LedgerProjections
import Testing

@testable import LedgerHTTP

/// Descriptors near the limit degrade health, and the dashboard words it for the owner: the same threshold as the
/// `descriptors_high` alert, so the page and the alert never disagree.
struct HealthAssessmentDescriptorsTests {
    private let context = HealthAssessment.Context(crmEnabled: false, telegramEnabled: false, descriptorsPercent: 80)

    private func reasons(open: Int?, limit: Int) -> [HealthAssessment.Reason] {
        let facts = HealthFacts(
            now: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000), head: nil, health: HealthView(), projections: [],
            heartbeat: nil, fileBytes: nil, freeBytes: nil, alerts: nil, restarts: nil, descriptors: (open, limit))
        return HealthAssessment(facts, context).reasons
    }

    @Test func aboveTheShareOfTheLimitHealthIsDegradedWithTheCountsAndAtItNot() {
        #expect(!reasons(open: 819, limit: 1024).contains(.descriptorsHigh(open: 819, limit: 1024)))
        #expect(reasons(open: 820, limit: 1024).contains(.descriptorsHigh(open: 820, limit: 1024)))
        #expect(!reasons(open: nil, limit: 1024).contains { if case .descriptorsHigh = $0 { true } else { false } })
    }

    @Test func theDashboardSaysSoInItsLanguageAndTheJSONInEnglish() {
        let reason = HealthAssessment.Reason.descriptorsHigh(open: 900, limit: 1024)
        let format = DashboardFormat(timeZone: TimeZone(secondsFromGMT: 3 * 3600) ?? .current, language: "ru")
        #expect(DashboardText.russian.reason(reason, format).contains("открыто 900 файловых дескрипторов из 1024"))
        #expect(reason.english == "900 of 1024 file descriptors open: new connections will be refused")
    }
}
