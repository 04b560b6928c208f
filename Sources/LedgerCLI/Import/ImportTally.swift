import LedgerCore
import LedgerIngest
import LedgerStore

/// What happened to each row of an import: the numbers of the summary, and the invalid rows it lists.
struct ImportTally {
    /// Records after the header (valid or not); blank lines are not rows.
    var rows: Int
    var blankLines: Int
    var imported = 0
    var duplicateByKey = 0
    var duplicateByContact = 0
    var invalid: [InvalidImportRow]
    /// Each imported row's line and new lead id, in file order.
    var importedLeads: [(line: Int, leadID: LeadID?)] = []

    init(file: ImportFile) {
        rows = file.rows.count
        blankLines = file.blankLines
        invalid = file.rows.compactMap { outcome in
            if case .invalid(let row) = outcome { return row }
            return nil
        }
    }

    var duplicates: Int { duplicateByKey + duplicateByContact }

    mutating func count(_ row: ImportedRow, _ reason: DuplicateReason?, leadID: LeadID? = nil) {
        switch reason {
        case nil:
            imported += 1
            importedLeads.append((row.line, leadID))
        case .idempotencyKey: duplicateByKey += 1
        case .doubleSubmission: duplicateByContact += 1
        }
    }
}
