import LedgerCore

/// Turns one row's named cells into an `ImportedRow` or the reason it is not one.
///
/// The lead fields go through `SubmissionBuilder`, the ingest endpoint's own validation and normalisation, so an
/// imported row is held to exactly the rules and limits of a form post and is refused with the same sentence the
/// endpoint would answer `422` with. What a form post does not have is handled here: the original time, the
/// idempotency key from the file, the default form, and the file's own column names in the reasons.
struct ImportRowBuilder {
    let options: ImportOptions

    func build(line: Int, cells: [RawField]) -> ImportRowOutcome {
        var fields: [RawField] = []
        var columnOf: [String: String] = [:]
        var time: RawField.Value?
        var key: RawField.Value?
        for cell in cells {
            switch options.columns.field(forColumn: cell.key) {
            case .receivedAt?:
                guard time == nil else { return invalid(line, .duplicateField("received_at"), columnOf: [:]) }
                time = cell.value
                columnOf["received_at"] = cell.key
            case .idempotencyKey?:
                guard key == nil else { return invalid(line, .duplicateField("idempotency_key"), columnOf: [:]) }
                key = cell.value
                columnOf["idempotency_key"] = cell.key
            case let field?:
                columnOf[field.rawValue] = cell.key
                fields.append(RawField(key: field.rawValue, value: cell.value))
            case nil:
                // A column without a name (a trailing separator in the header) has nothing to be kept under.
                guard !options.columns.ignoreUnknown, !cell.key.isEmpty else { continue }
                fields.append(cell)
            }
        }
        var submission: LeadSubmission
        do {
            // No honeypot: the operator chose these rows; a column that happens to share its name is kept as data.
            submission = try SubmissionBuilder.build(fields, honeypotField: "", limits: options.limits)
        } catch {
            return invalid(line, error, columnOf: columnOf)
        }
        if submission.formID == nil { submission.formID = options.defaultFormID }
        let receivedAt: Timestamp
        switch receivedTime(time) {
        case .success(let value): receivedAt = value
        case .failure(let problem):
            return .invalid(
                InvalidImportRow(
                    line: line, field: ImportColumns.Field.receivedAt.rawValue, column: columnOf["received_at"],
                    reason: problem.reason))
        }
        var idempotencyKey: String?
        switch key {
        case .text(let raw)?:
            let trimmed = String(raw.trimmingASCIIWhitespace())
            if !trimmed.isEmpty {
                guard IdempotencyKeySyntax.isValid(trimmed) else {
                    return .invalid(
                        InvalidImportRow(
                            line: line, field: "idempotency_key", column: columnOf["idempotency_key"],
                            reason: "The key must be \(IdempotencyKeySyntax.requirement)."))
                }
                idempotencyKey = trimmed
            }
        case .nested?:
            return invalid(line, .nestedValue("idempotency_key"), columnOf: columnOf)
        case .null?, nil:
            break
        }
        return .lead(
            ImportedRow(line: line, submission: submission, receivedAt: receivedAt, idempotencyKey: idempotencyKey))
    }

    private func receivedTime(_ value: RawField.Value?) -> Result<Timestamp, CellProblem> {
        var text: String?
        switch value {
        case .text(let raw)?: text = raw.trimmingASCIIWhitespace().isEmpty ? nil : raw
        case .nested?: return .failure(CellProblem("The time must be a string, not an object or array."))
        case .null?, nil: text = nil
        }
        guard let text else {
            if let fallback = options.defaultReceivedAt { return .success(fallback) }
            return .failure(
                CellProblem("The time the lead was received is missing (give --default-time to import rows without one)."))
        }
        switch options.time.parse(text) {
        case .failure(let error): return .failure(CellProblem(error.description))
        case .success(let time):
            guard time >= ImportOptions.earliestReceivedAt else {
                return .failure(CellProblem("The time is before the year 2000."))
            }
            guard time <= options.latestReceivedAt else { return .failure(CellProblem("The time is in the future.")) }
            return .success(time)
        }
    }

    private func invalid(_ line: Int, _ rejection: IngestRejection, columnOf: [String: String]) -> ImportRowOutcome {
        .invalid(
            InvalidImportRow(
                line: line, field: rejection.field, column: rejection.field.flatMap { columnOf[$0] },
                reason: rejection.error))
    }
}

/// A sentence saying why a cell is not usable.
private struct CellProblem: Error {
    var reason: String

    init(_ reason: String) { self.reason = reason }
}
