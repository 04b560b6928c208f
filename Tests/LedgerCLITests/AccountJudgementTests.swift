import LedgerAmoCRM
import LedgerCore
import Testing

@testable import LedgerCLI

/// `check-amocrm`'s verdicts, rule by rule, without an account.
struct AccountJudgementTests {
    static let now = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)

    private func clock(offsetSeconds: Int64?) -> CheckRow {
        AccountJudgement.clock(
            AccountSummary(
                id: 1, name: "a", subdomain: nil, serverTime: offsetSeconds.map { Self.now.adding(seconds: $0) },
                receivedAt: Self.now))
    }

    @Test func theClockIsOkUpToThirtySecondsWarnsUpToFiveMinutesThenFails() {
        #expect(clock(offsetSeconds: 0).verdict == .ok)
        #expect(clock(offsetSeconds: -30).verdict == .ok)
        #expect(clock(offsetSeconds: 31).verdict == .warn)
        #expect(clock(offsetSeconds: -300).verdict == .warn)
        #expect(clock(offsetSeconds: 301).verdict == .fail)
        #expect(clock(offsetSeconds: nil).verdict == .warn)
        #expect(clock(offsetSeconds: -400).detail.contains("400 s behind"))
    }

    static let pipelines = [
        Pipeline(id: 5, name: "Опт", statuses: [PipelineStatus(id: 50, name: "Новый")]),
        Pipeline(
            id: 1, name: "Воронка", isMain: true,
            statuses: [PipelineStatus(id: 10, name: "Первичный контакт"), PipelineStatus(id: 142, name: "Успешно")]),
    ]

    @Test func pipelineAndStatusAreCheckedAgainstTheAccount() {
        let unset = AccountJudgement.pipeline(Self.pipelines, pipelineID: nil, statusID: nil)
        #expect(unset.verdict == .ok && unset.detail.hasPrefix("account default (main pipeline 1"), "\(unset)")
        #expect(AccountJudgement.pipeline(Self.pipelines, pipelineID: 5, statusID: 50).verdict == .ok)
        #expect(AccountJudgement.pipeline(Self.pipelines, pipelineID: nil, statusID: 10).verdict == .ok)
        let noPipeline = AccountJudgement.pipeline(Self.pipelines, pipelineID: 7, statusID: nil)
        #expect(noPipeline.verdict == .fail && noPipeline.detail.contains("LEADLEDGER_AMOCRM_PIPELINE_ID=7"))
        let wrongStage = AccountJudgement.pipeline(Self.pipelines, pipelineID: 5, statusID: 10)
        #expect(wrongStage.verdict == .fail && wrongStage.detail.contains("LEADLEDGER_AMOCRM_STATUS_ID=10"))
        #expect(AccountJudgement.pipeline(Self.pipelines, pipelineID: 1, statusID: 142).verdict == .warn)
    }

    @Test func everyMappedFieldMustExistAndTakeText() {
        let fields = [
            CustomField(id: 1, name: "Ledger", type: "text"), CustomField(id: 2, name: "Budget", type: "numeric"),
        ]
        #expect(AccountJudgement.leadFields(fields, complete: true, configured: [:]).verdict == .ok)
        #expect(AccountJudgement.leadFields(fields, complete: true, configured: [.ledgerID: 1]).verdict == .ok)
        let wrong = AccountJudgement.leadFields(fields, complete: true, configured: [.comment: 2, .formID: 3])
        #expect(wrong.verdict == .fail)
        #expect(wrong.detail.contains("comment=2: field \"Budget\" is numeric"), "\(wrong.detail)")
        #expect(wrong.detail.contains("form_id=3: no such lead field"), "\(wrong.detail)")
        #expect(AccountJudgement.leadFields(fields, complete: false, configured: [.formID: 3]).verdict == .warn)
    }

    @Test func contactsNeedPhoneAndEmailCodes() {
        let both = [
            CustomField(id: 1, name: "P", type: "multitext", code: "PHONE"),
            CustomField(id: 2, name: "E", type: "multitext", code: "EMAIL"),
        ]
        #expect(AccountJudgement.contactFields(both, complete: true).verdict == .ok)
        let phoneOnly = AccountJudgement.contactFields(Array(both.prefix(1)), complete: true)
        #expect(phoneOnly.verdict == .fail && phoneOnly.detail.contains("EMAIL"))
    }

    @Test func theFinalLineCountsFailuresAndWarnings() {
        let rows = [CheckRow("a", .ok, ""), CheckRow("b", .warn, ""), CheckRow("c", .fail, "")]
        #expect(CheckTable.verdictLine(rows) == "check-amocrm: FAILED, 1 of 3 checks failed, 1 warning(s)")
        #expect(CheckTable.verdictLine(Array(rows.prefix(1))) == "check-amocrm: ok, 1 checks")
        #expect(CheckTable.render(rows).split(separator: "\n").count == 4)
    }
}
