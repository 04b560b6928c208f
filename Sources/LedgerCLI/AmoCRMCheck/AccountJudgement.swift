import LedgerAmoCRM
import LedgerCore

/// Pure verdicts on what AmoCRM said, one per `check-amocrm` row: no I/O, so each rule reads on its own.
enum AccountJudgement {
    /// Above this the clocks deserve a look; above `failOffsetSeconds` reconciliation's `created_at` windows (a
    /// couple of seconds wide) can miss a lead the account stamped with its own clock.
    static let warnOffsetSeconds: Int64 = 30
    static let failOffsetSeconds: Int64 = 300

    static func token(_ reply: AccountReply) -> CheckRow {
        switch reply {
        case .account(let account):
            var names: [String] = []
            if let name = account.name { names.append("\"\(name)\"") }
            if let id = account.id { names.append("id \(id)") }
            if let subdomain = account.subdomain { names.append("subdomain \(subdomain)") }
            let detail = names.isEmpty ? "the token opens the account" : "opens account " + names.joined(separator: ", ")
            return CheckRow("token", .ok, detail)
        case .failed(let failure):
            return CheckRow("token", .fail, "GET /api/v4/account: \(failure)\(hint(failure))")
        }
    }

    /// What to do about a refused account read, by the setting involved.
    private static func hint(_ failure: AmoCRMFailure) -> String {
        switch failure {
        case .unauthorized: " (check LEADLEDGER_AMOCRM_TOKEN, or re-authorise the OAuth integration)"
        case .notSent, .noReply: " (check LEADLEDGER_AMOCRM_BASE_URL and the network)"
        case .unexpected(let status, _) where status == 404 || (300...399).contains(status):
            " (check LEADLEDGER_AMOCRM_BASE_URL: https://SUBDOMAIN.amocrm.ru)"
        default: ""
        }
    }

    static func clock(_ account: AccountSummary) -> CheckRow {
        guard let offset = account.clockOffsetMilliseconds else {
            return CheckRow("clock offset", .warn, "the reply had no readable Date header: clocks not compared")
        }
        let seconds = abs(offset) / 1000
        let side = offset >= 0 ? "ahead of" : "behind"
        let said = "AmoCRM's clock is \(seconds) s \(side) this machine's"
        if seconds > failOffsetSeconds {
            return CheckRow(
                "clock offset", .fail,
                "\(said): set the time (NTP); reconciliation lists leads by created_at windows of a few seconds")
        }
        if seconds > warnOffsetSeconds {
            return CheckRow("clock offset", .warn, "\(said): check NTP before it reaches \(failOffsetSeconds) s")
        }
        return CheckRow("clock offset", .ok, said)
    }

    static func pipeline(_ pipelines: [Pipeline], pipelineID: Int64?, statusID: Int64?) -> CheckRow {
        let check = "pipeline and status"
        let main = pipelines.first(where: \.isMain) ?? pipelines.first
        guard pipelineID != nil || statusID != nil else {
            return CheckRow(check, .ok, "account default" + (main.map { " (main pipeline \(describe($0)))" } ?? ""))
        }
        let target: Pipeline
        if let pipelineID {
            guard let found = pipelines.first(where: { $0.id == pipelineID }) else {
                let known = pipelines.prefix(5).map(describe).joined(separator: ", ")
                return CheckRow(
                    check, .fail,
                    "LEADLEDGER_AMOCRM_PIPELINE_ID=\(pipelineID): the account has no such pipeline (it has \(known.isEmpty ? "none" : known))"
                )
            }
            target = found
        } else if let main {
            target = main
        } else {
            return CheckRow(check, .fail, "LEADLEDGER_AMOCRM_STATUS_ID=\(statusID ?? 0): the account lists no pipelines")
        }
        guard let statusID else {
            return CheckRow(check, .ok, "pipeline \(describe(target)), its first stage")
        }
        guard let status = target.statuses.first(where: { $0.id == statusID }) else {
            let known = target.statuses.prefix(8).map { "\($0.id) \"\($0.name)\"" }.joined(separator: ", ")
            return CheckRow(
                check, .fail,
                "LEADLEDGER_AMOCRM_STATUS_ID=\(statusID): not a stage of pipeline \(describe(target)) (its stages: \(known))")
        }
        let detail = "pipeline \(describe(target)), stage \(status.id) \"\(status.name)\""
        if status.id == PipelineStatus.wonID || status.id == PipelineStatus.lostID {
            return CheckRow(check, .warn, "\(detail): a closing stage, every lead would arrive closed")
        }
        return CheckRow(check, .ok, detail)
    }

    private static func describe(_ pipeline: Pipeline) -> String { "\(pipeline.id) \"\(pipeline.name)\"" }

    /// Every id in `LEADLEDGER_AMOCRM_FIELDS` must be a lead field that takes text. `complete` false: the list was
    /// cut at the page bound, so a field not seen is a warning, not a failure.
    static func leadFields(_ fields: [CustomField], complete: Bool, configured: [AmoCRMLeadField: Int64]) -> CheckRow {
        let check = "lead fields"
        guard !configured.isEmpty else {
            return CheckRow(check, .ok, "none mapped: UTM values go as tags, comment and page as a note")
        }
        var failures: [String] = []
        var unseen: [String] = []
        for (value, id) in configured.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let entry = "\(value.rawValue)=\(id)"
            guard let field = fields.first(where: { $0.id == id }) else {
                if complete {
                    failures.append("\(entry): no such lead field")
                } else {
                    unseen.append(entry)
                }
                continue
            }
            if !field.takesText {
                failures.append("\(entry): field \"\(field.name)\" is \(field.type), not a text type")
            }
        }
        if !failures.isEmpty {
            return CheckRow(check, .fail, "LEADLEDGER_AMOCRM_FIELDS " + failures.joined(separator: "; "))
        }
        if !unseen.isEmpty {
            return CheckRow(
                check, .warn,
                "LEADLEDGER_AMOCRM_FIELDS " + unseen.joined(separator: ", ")
                    + ": not among the first \(AmoCRMAPI.maxCustomFieldPages) pages of fields")
        }
        return CheckRow(check, .ok, "\(configured.count) mapped field(s) exist and take text")
    }

    /// The reactor writes a contact's phone and email by field code, never by id.
    static func contactFields(_ fields: [CustomField], complete: Bool) -> CheckRow {
        let check = "contact fields"
        let codes = Set(fields.compactMap { $0.code?.uppercased() })
        let missing = ["PHONE", "EMAIL"].filter { !codes.contains($0) }
        guard !missing.isEmpty else { return CheckRow(check, .ok, "PHONE and EMAIL exist") }
        let named = missing.joined(separator: " and ")
        guard complete else {
            return CheckRow(check, .warn, "\(named) not among the first \(AmoCRMAPI.maxCustomFieldPages) pages of fields")
        }
        return CheckRow(
            check, .fail, "no contact field with code \(named): the reactor sends contacts' phone and email by these codes")
    }
}
