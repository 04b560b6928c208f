import Foundation
import LedgerCore
import LedgerIngest

/// The import's report: for a person (text) or a script (`--format json`). A dry run prints the same numbers in
/// the conditional ("would import"), so the two can be compared line by line before the real run.
struct ImportSummary {
    var path: String
    var file: ImportFile
    var tally: ImportTally
    var dryRun: Bool
    var windowSeconds: Int

    var text: String {
        var lines: [String] = []
        let mode = dryRun ? " (dry run: nothing written)" : ""
        var shape = file.format == .csv ? "CSV" : "JSON Lines"
        if let separator = file.separator { shape += ", separator " + Self.shown(separator) }
        lines.append("import \(path)\(mode): \(shape), \(tally.rows) row(s), \(tally.blankLines) blank line(s) skipped")
        if !file.columns.isEmpty {
            let mapped = file.columns.map { column in
                "\(column.name.isEmpty ? "(unnamed)" : column.name) → \(column.field?.rawValue ?? "extra")"
            }
            lines.append("columns: " + mapped.joined(separator: ", "))
        }
        lines.append("\(dryRun ? "would import" : "imported"): \(tally.imported)")
        lines.append(
            "\(dryRun ? "would skip" : "skipped") as duplicates: \(tally.duplicates) (same idempotency key: "
                + "\(tally.duplicateByKey); same phone or email and form within \(windowSeconds) s of the row's time: "
                + "\(tally.duplicateByContact))")
        lines.append("invalid: \(tally.invalid.count)")
        lines += tally.invalid.map(\.description)
        return lines.joined(separator: "\n") + "\n"
    }

    var json: String {
        var object: [String: Any] = [
            "file": path, "format": file.format.rawValue, "dry_run": dryRun, "rows": tally.rows,
            "blank_lines": tally.blankLines, "imported": tally.imported,
            "duplicates": [
                "total": tally.duplicates, "idempotency_key": tally.duplicateByKey,
                "contact_and_form": tally.duplicateByContact, "window_s": windowSeconds,
            ],
            "invalid": tally.invalid.map { row -> [String: Any] in
                var entry: [String: Any] = ["line": row.line, "reason": row.reason]
                if let field = row.field { entry["field"] = field }
                if let column = row.column { entry["column"] = column }
                return entry
            },
        ]
        if let separator = file.separator { object["separator"] = String(separator) }
        if !dryRun {
            object["leads"] = tally.importedLeads.map { lead -> [String: Any] in
                ["line": lead.line, "lead_id": lead.leadID?.description ?? NSNull()]
            }
        }
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private static func shown(_ separator: Character) -> String {
        separator == "\t" ? "tab" : "'\(separator)'"
    }
}
