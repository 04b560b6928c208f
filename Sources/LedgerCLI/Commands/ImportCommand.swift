import ArgumentParser
import Foundation
import LedgerCore
import LedgerIngest
import LedgerStore

/// `leadledger import FILE`: restores leads from an export (an ad platform's, a form builder's, old logs).
///
/// The file is read and every row judged before anything is written, so a file that breaks a file-wide rule (too
/// big, no header, no phone or email column) writes nothing; then the valid rows are written in batches, each lead
/// marked `origin: import` with its original time. Rows already in the ledger are skipped, which is what makes a
/// second import of the same file (or an overlapping export) add nothing.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Restore leads from a CSV or JSON Lines export; importing the same file again adds nothing.",
        discussion: """
            CSV: a header row, then one lead per row; UTF-8 with or without a byte-order mark; ';', ',' or tab \
            between fields (guessed from the header unless --separator); quoted fields may hold separators, \
            doubled quotes and line breaks; CRLF or LF. JSON Lines: one flat JSON object per line. Columns are \
            recognised by common English and Russian names (Имя, Телефон, E-mail/Почта, Комментарий, Дата, \
            utm_source, form_id, idempotency_key, …) or named with --columns; other columns are kept with the \
            lead as extra fields. Each row is held to the rules and limits of POST /api/leads and needs the time \
            it was received: ISO 8601 (2026-11-20T14:03:00+03:00) or DD.MM.YYYY HH:MM[:SS] in LEADLEDGER_TIMEZONE.

            A row is skipped as a duplicate when its idempotency_key is already in the log, or when a lead with \
            the same phone or email and form was received within --duplicate-window seconds of the row's time \
            (the row's own time always counts, so a row imported before is found however long ago). Invalid rows \
            are listed as "line N: reason" and do not stop the others. --dry-run reads the log only and prints \
            what would happen. Imported leads are queued for AmoCRM like any other.

            Limits: --max-file-bytes (default \(ImportLimits.defaultMaxFileBytes)) and --max-rows (default \
            \(ImportLimits.defaultMaxRows)) refuse the whole file, nothing written; --max-record-bytes (default \
            \(ImportLimits.defaultMaxRecordBytes)) makes a longer row invalid. Leads are written --batch-size \
            rows per transaction.

            Exit codes: 0 every row imported or skipped as a duplicate; 1 some rows were invalid (listed; the \
            others were imported); 2 usage error; 3 the file or the log could not be used (nothing, or only whole \
            batches, written).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The export: .csv, or .jsonl/.ndjson (other names: the content decides).")
    var file: String

    @Flag(help: "Read the file and the log, write nothing, and print what the import would do.")
    var dryRun = false

    @Option(
        help:
            "Column names for fields, field=Column,…; fields: name, phone, email, comment, form_id, page_url, utm_source, utm_medium, utm_campaign, utm_content, utm_term, received_at, idempotency_key."
    )
    var columns: String?

    @Flag(help: "Drop columns that fill no field instead of keeping them with the lead as extra fields.")
    var ignoreUnknownColumns = false

    @Option(help: "CSV field separator: ';', ',', 'tab' or another single character (default: guessed from the header).")
    var separator: String?

    @Option(help: "csv or jsonl (default: by the file's extension, else by its content).")
    var inputFormat: String?

    @Option(help: "form_id for rows that have none, so they can match leads the ledger received from that form.")
    var form: String?

    @Option(help: "Received time for rows without one (ISO 8601 or DD.MM.YYYY HH:MM); without it such rows are invalid.")
    var defaultTime: String?

    @Option(
        help:
            "A lead with the same phone or email and form within this many seconds of a row's time makes the row a duplicate (0: that instant only)."
    )
    var duplicateWindow: Int = 600

    @Option(help: "Refuse a file larger than this many bytes.")
    var maxFileBytes: Int = ImportLimits.defaultMaxFileBytes

    @Option(help: "Refuse a file with more rows than this.")
    var maxRows: Int = ImportLimits.defaultMaxRows

    @Option(help: "A row (with its quoted line breaks) longer than this many bytes is invalid.")
    var maxRecordBytes: Int = ImportLimits.defaultMaxRecordBytes

    @Option(help: "Leads written per transaction (1-10000).")
    var batchSize: Int = 500

    @Option(help: "text or json.")
    var format: String = "text"

    func validate() throws {
        if format != "text" && format != "json" { throw ValidationError("--format must be text or json") }
        if let inputFormat, ImportFormat(rawValue: inputFormat) == nil {
            throw ValidationError("--input-format must be csv or jsonl")
        }
        if let separator, Self.separatorByte(separator) == nil {
            throw ValidationError("--separator must be one character other than a quote or a line break, or 'tab'")
        }
        guard (0...2_592_000).contains(duplicateWindow) else {
            throw ValidationError("--duplicate-window must be 0 to 2592000 seconds")
        }
        guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1 to 10000") }
        guard maxFileBytes > 0, maxRows > 0, maxRecordBytes > 0 else {
            throw ValidationError("--max-file-bytes, --max-rows and --max-record-bytes must be positive")
        }
        if let form, case .failure(let rejection) = ImportOptions.normalizedFormID(form) {
            throw ValidationError("--form: \(rejection.error)")
        }
        do {
            _ = try ImportColumns(mapping: columns)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        let settings = try await global.settings()
        let options = try importOptions(settings)
        let bytes = try readFile(limit: options.fileLimits.maxFileBytes)
        let format =
            inputFormat.flatMap(ImportFormat.init(rawValue:)) ?? ImportFormat(path: file) ?? ImportFormat(sniffing: bytes)
        let imported: ImportFile
        do {
            imported = try ImportFile.read(
                bytes, format: format, separator: separator.flatMap(Self.separatorByte), options: options)
        } catch {
            throw ExitStatus.runtime("import \(file): \(error)")
        }
        // A rehearsal only reads: a SQLite log is opened read-only, so not even a migration can write.
        let log = try await global.openStore(settings, readOnly: dryRun)
        let writer = ImportWriter(log: log, batchSize: batchSize, windowSeconds: duplicateWindow)
        let tally: ImportTally
        do {
            tally = try await writer.run(imported, dryRun: dryRun)
        } catch {
            await log.close()
            emit(ImportSummary(path: file, file: imported, tally: error.tally, dryRun: dryRun, windowSeconds: duplicateWindow))
            throw ExitStatus.runtime("import \(file): \(error)")
        }
        await log.close()
        emit(ImportSummary(path: file, file: imported, tally: tally, dryRun: dryRun, windowSeconds: duplicateWindow))
        if !tally.invalid.isEmpty { throw ExitStatus.failureFound() }
    }

    private func emit(_ summary: ImportSummary) {
        writeOut(format == "json" ? summary.json : summary.text)
    }

    private func importOptions(_ settings: LedgerSettings) throws -> ImportOptions {
        var limits = IngestLimits()
        limits.maxBodyBytes = settings.maxBodyBytes
        limits.maxCommentBytes = settings.maxCommentBytes
        limits.maxExtraFields = settings.maxExtraFields
        let time = ImportTime(timeZone: settings.timeZone)
        var fallback: Timestamp?
        if let defaultTime {
            switch time.parse(defaultTime) {
            case .success(let value): fallback = value
            case .failure(let error): throw ExitStatus.usage("--default-time: \(error)")
            }
        }
        var formID: String?
        if let form, case .success(let value) = ImportOptions.normalizedFormID(form, limits: limits) { formID = value }
        return ImportOptions(
            columns: try ImportColumns(mapping: columns, ignoreUnknown: ignoreUnknownColumns), limits: limits,
            fileLimits: ImportLimits(maxFileBytes: maxFileBytes, maxRows: maxRows, maxRecordBytes: maxRecordBytes),
            time: time, defaultFormID: formID, defaultReceivedAt: fallback,
            // Clocks disagree by a little; a lead from the future by more is a typo or a wrong time zone.
            latestReceivedAt: SystemClock().now().adding(seconds: 300))
    }

    /// The whole file, refused unread when larger than `limit`; read with one byte to spare so a file that grows
    /// while it is read is refused too.
    private func readFile(limit: Int) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw ExitStatus.runtime("import: cannot read \(file)")
        }
        defer { try? handle.close() }
        if let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber,
            size.intValue > limit
        {
            throw ExitStatus.runtime("import \(file): \(ImportFileError.tooLarge(max: limit))")
        }
        do {
            let data = try handle.read(upToCount: limit + 1) ?? Data()
            guard data.count <= limit else { throw ExitStatus.runtime("import \(file): \(ImportFileError.tooLarge(max: limit))") }
            return Array(data)
        } catch let status as ExitStatus {
            throw status
        } catch {
            throw ExitStatus.runtime("import: cannot read \(file): \(error.localizedDescription)")
        }
    }

    static func separatorByte(_ text: String) -> UInt8? {
        if text == "tab" || text == "\\t" || text == "\t" { return 0x09 }
        guard text.utf8.count == 1, let byte = text.utf8.first, byte != UInt8(ascii: "\""), byte != 0x0A, byte != 0x0D
        else { return nil }
        return byte
    }
}
