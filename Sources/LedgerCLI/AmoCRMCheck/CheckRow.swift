import Foundation

/// How one `check-amocrm` row came out. A closed set: the exit code and the final line are decided from it.
enum CheckVerdict: String, Sendable, Equatable {
    case ok
    /// Works today but deserves a look (a drifting clock, a stage that closes leads, a check that could not run).
    case warn
    /// The reactor will fail on this account until the named setting or the account is fixed.
    case fail = "FAIL"
}

/// One line of the report: which check, its verdict, and a detail that names the setting to fix. Never a secret.
struct CheckRow: Sendable, Equatable {
    var check: String
    var verdict: CheckVerdict
    var detail: String

    init(_ check: String, _ verdict: CheckVerdict, _ detail: String) {
        self.check = check
        self.verdict = verdict
        self.detail = detail
    }
}

/// The printed table and its final verdict line.
enum CheckTable {
    static func render(_ rows: [CheckRow]) -> String {
        let checkWidth = max("check".count, rows.map(\.check.count).max() ?? 0)
        let verdictWidth = "verdict".count
        func line(_ check: String, _ verdict: String, _ detail: String) -> String {
            check.padding(toLength: checkWidth, withPad: " ", startingAt: 0) + "  "
                + verdict.padding(toLength: verdictWidth, withPad: " ", startingAt: 0) + "  " + detail + "\n"
        }
        var text = line("check", "verdict", "detail")
        for row in rows { text += line(row.check, row.verdict.rawValue, row.detail) }
        return text
    }

    /// `check-amocrm: ok, …` or `check-amocrm: FAILED, …`: the line a script or a person reads first.
    static func verdictLine(_ rows: [CheckRow]) -> String {
        let failed = rows.filter { $0.verdict == .fail }.count
        let warned = rows.filter { $0.verdict == .warn }.count
        let warnings = warned == 0 ? "" : ", \(warned) warning(s)"
        if failed > 0 {
            return "check-amocrm: FAILED, \(failed) of \(rows.count) checks failed\(warnings)"
        }
        return "check-amocrm: ok, \(rows.count) checks\(warnings)"
    }
}
