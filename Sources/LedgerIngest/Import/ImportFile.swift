/// The two export formats `leadledger import` reads.
public enum ImportFormat: String, Sendable, CaseIterable {
    case csv
    case jsonl

    /// By extension: `.csv`/`.txt` are CSV, `.jsonl`/`.ndjson`/`.json` are JSON Lines; nil for anything else.
    public init?(path: String) {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".csv") || lowered.hasSuffix(".txt") {
            self = .csv
        } else if lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".ndjson") || lowered.hasSuffix(".json") {
            self = .jsonl
        } else {
            return nil
        }
    }

    /// For a file whose name says nothing: JSON Lines when its first visible byte opens an object.
    public init(sniffing bytes: [UInt8]) {
        let start = bytes.starts(with: CSVReader.byteOrderMark) ? CSVReader.byteOrderMark.count : 0
        let first = bytes[start...].first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        self = first == UInt8(ascii: "{") ? .jsonl : .csv
    }
}

/// A whole export read and judged, row by row, before anything is written.
public struct ImportFile: Sendable {
    public var format: ImportFormat
    /// The CSV separator used (given or guessed), for the summary; nil for JSON Lines.
    public var separator: Character?
    /// The CSV header: each column and the field it fills (nil: kept in `extra`, or dropped with `ignoreUnknown`).
    public var columns: [(name: String, field: ImportColumns.Field?)]
    /// Every record after the header, in file order.
    public var rows: [ImportRowOutcome]
    public var blankLines: Int

    /// Reads `bytes` as `format`. Throws only for what makes the whole file unusable (no header, a header that
    /// cannot be mapped, over a file limit); a bad row is an `.invalid` outcome and the rest are read on.
    public static func read(
        _ bytes: [UInt8], format: ImportFormat, separator: UInt8? = nil, options: ImportOptions
    ) throws(ImportFileError) -> ImportFile {
        guard bytes.count <= options.fileLimits.maxFileBytes else {
            throw .tooLarge(max: options.fileLimits.maxFileBytes)
        }
        let builder = ImportRowBuilder(options: options)
        switch format {
        case .csv: return try readCSV(bytes, separator: separator, options: options, builder: builder)
        case .jsonl: return try readJSONLines(bytes, options: options, builder: builder)
        }
    }

    private static func readCSV(
        _ bytes: [UInt8], separator: UInt8?, options: ImportOptions, builder: ImportRowBuilder
    ) throws(ImportFileError) -> ImportFile {
        var reader = CSVReader(bytes, separator: separator, maxRecordBytes: options.fileLimits.maxRecordBytes)
        let header: [String]
        switch reader.next() {
        case nil: throw .noHeader
        case .broken(let line, let reason)?: throw .unreadableHeader(line: line, reason: reason)
        case .record(_, let fields)?: header = fields.map { String($0.trimmingASCIIWhitespace()) }
        }
        let columns = header.map { (name: $0, field: options.columns.field(forColumn: $0)) }
        try checkHeader(columns, options: options)
        var rows: [ImportRowOutcome] = []
        while let item = reader.next() {
            guard rows.count < options.fileLimits.maxRows else { throw .tooManyRows(max: options.fileLimits.maxRows) }
            switch item {
            case .broken(let line, let reason):
                rows.append(.invalid(InvalidImportRow(line: line, reason: reason)))
            case .record(let line, let fields) where fields.count != header.count:
                rows.append(
                    .invalid(
                        InvalidImportRow(
                            line: line,
                            reason: "The row has \(fields.count) fields, the header has \(header.count) "
                                + "(an unquoted separator in a cell?).")))
            case .record(let line, let fields):
                let cells = zip(header, fields).map { RawField(key: $0, value: .text($1)) }
                rows.append(builder.build(line: line, cells: cells))
            }
        }
        return ImportFile(
            format: .csv, separator: Character(Unicode.Scalar(reader.separator)), columns: columns, rows: rows,
            blankLines: reader.blankLines)
    }

    /// Problems every row would have are the file's: said once, before anything is written, with the fix.
    private static func checkHeader(
        _ columns: [(name: String, field: ImportColumns.Field?)], options: ImportOptions
    ) throws(ImportFileError) {
        var seen: [ImportColumns.Field: String] = [:]
        var kept: Set<String> = []
        for column in columns {
            guard let field = column.field else {
                // Kept in `extra` under its name: two of one name would make every row a duplicate-field refusal.
                if !options.columns.ignoreUnknown && !column.name.isEmpty && !kept.insert(column.name).inserted {
                    throw .columnTwice(column.name)
                }
                continue
            }
            if let first = seen.updateValue(column.name, forKey: field) {
                throw .sameFieldTwice(field: field.rawValue, columns: [first, column.name])
            }
        }
        guard seen[.phone] != nil || seen[.email] != nil else {
            throw .noContactColumn(columns: columns.map(\.name))
        }
        guard seen[.receivedAt] != nil || options.defaultReceivedAt != nil else {
            throw .noTimeColumn(columns: columns.map(\.name))
        }
    }

    private static func readJSONLines(
        _ bytes: [UInt8], options: ImportOptions, builder: ImportRowBuilder
    ) throws(ImportFileError) -> ImportFile {
        var reader = JSONLinesReader(bytes, maxRecordBytes: options.fileLimits.maxRecordBytes, limits: options.limits)
        var rows: [ImportRowOutcome] = []
        while let item = reader.next() {
            guard rows.count < options.fileLimits.maxRows else { throw .tooManyRows(max: options.fileLimits.maxRows) }
            switch item {
            case .broken(let line, let rejection):
                rows.append(.invalid(InvalidImportRow(line: line, field: rejection.field, reason: rejection.error)))
            case .record(let line, let fields):
                rows.append(builder.build(line: line, cells: fields))
            }
        }
        return ImportFile(format: .jsonl, separator: nil, columns: [], rows: rows, blankLines: reader.blankLines)
    }
}

/// Why a whole file was refused; nothing of it is written.
public enum ImportFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooLarge(max: Int)
    case tooManyRows(max: Int)
    case noHeader
    case unreadableHeader(line: Int, reason: String)
    case sameFieldTwice(field: String, columns: [String])
    case columnTwice(String)
    case noContactColumn(columns: [String])
    case noTimeColumn(columns: [String])

    public var description: String {
        switch self {
        case .tooLarge(let max): return "the file is larger than \(max) bytes (--max-file-bytes)"
        case .tooManyRows(let max): return "the file has more than \(max) rows (--max-rows); split it"
        case .noHeader: return "the file is empty: a CSV file needs a header row naming its columns"
        case .unreadableHeader(let line, let reason): return "line \(line): the header cannot be read: \(reason)"
        case .sameFieldTwice(let field, let columns):
            return "the columns \(columns.map(Self.quoted).joined(separator: " and ")) both hold \(field); "
                + "name the one to use with --columns \(field)=COLUMN"
        case .columnTwice(let name):
            return "two columns are named \(Self.quoted(name)); rename one, or drop the columns that fill no field "
                + "with --ignore-unknown-columns"
        case .noContactColumn(let columns):
            return "no column holds a phone or an email (columns: \(Self.list(columns))); "
                + "name them with --columns phone=COLUMN,email=COLUMN"
        case .noTimeColumn(let columns):
            return "no column holds the time each lead was received (columns: \(Self.list(columns))); "
                + "name it with --columns received_at=COLUMN, or give --default-time"
        }
    }

    private static func quoted(_ name: String) -> String { "«\(name)»" }
    private static func list(_ columns: [String]) -> String { columns.map(quoted).joined(separator: ", ") }
}
