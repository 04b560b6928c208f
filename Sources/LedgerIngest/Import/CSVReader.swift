/// Reads CSV the way spreadsheets write it, one record at a time, recovering from a broken record instead of losing
/// the rest of the file.
///
/// Hand-written over bytes because exports are messier than RFC 4180: Russian Excel writes `;` between fields and a
/// UTF-8 byte-order mark before them, Windows ends lines with CRLF, a comment cell carries line breaks inside quotes,
/// and one hand-edited row may hold a stray quote. Foundation has no CSV reader, and a split on separators would cut
/// a quoted `;` in two.
///
/// Quoting follows RFC 4180: a field that starts with `"` runs to the next lone `"`, with `""` for a quote and line
/// breaks kept. A quote inside an unquoted field is kept as text (what spreadsheets do). A record is broken when a
/// quoted field never closes, when text follows a closing quote, or when it grows past `maxRecordBytes`; the reader
/// then reports the record's first line and starts again on the line after it, so one stray quote costs one row, not
/// every row below it. Every step consumes at least one byte and a restart never goes back before the broken record's
/// second line, so any input ends.
struct CSVReader {
    /// A record as read: the line it starts on (1-based, counting the header) and its fields, or why it is broken.
    enum Item: Equatable {
        case record(line: Int, fields: [String])
        case broken(line: Int, reason: String)
    }

    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    /// Separators the reader guesses between, in the order ties are settled: Russian Excel's first.
    static let candidateSeparators: [UInt8] = [UInt8(ascii: ";"), UInt8(ascii: ","), UInt8(ascii: "\t")]

    let separator: UInt8
    private let bytes: [UInt8]
    private let maxRecordBytes: Int
    private var index: Int
    private var line = 1
    /// Lines with no content skipped so far (a record of only empty fields, such as `;;;`, counts as blank).
    private(set) var blankLines = 0

    /// - Parameter separator: nil to guess from the first line (see `guessSeparator`).
    init(_ bytes: [UInt8], separator: UInt8? = nil, maxRecordBytes: Int) {
        self.bytes = bytes
        self.maxRecordBytes = max(1, maxRecordBytes)
        index = bytes.starts(with: Self.byteOrderMark) ? Self.byteOrderMark.count : 0
        self.separator = separator ?? Self.guessSeparator(bytes[index...])
    }

    /// The candidate that occurs most often outside quotes on the first line (the header); `,` when none does.
    /// A header names columns, so it rarely holds a separator of another kind, while data rows (a comment with a
    /// comma in it) often do.
    static func guessSeparator(_ bytes: ArraySlice<UInt8>) -> UInt8 {
        var counts = [Int](repeating: 0, count: candidateSeparators.count)
        var quoted = false
        for byte in bytes {
            if byte == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if !quoted && (byte == 0x0A || byte == 0x0D) {
                break
            } else if !quoted, let position = candidateSeparators.firstIndex(of: byte) {
                counts[position] += 1
            }
        }
        guard let best = counts.max(), best > 0, let position = counts.firstIndex(of: best) else { return UInt8(ascii: ",") }
        return candidateSeparators[position]
    }

    /// The next record or broken record, skipping blank lines; nil at the end of the file.
    mutating func next() -> Item? {
        while index < bytes.count {
            let startLine = line
            let start = index
            switch readRecord() {
            case .fields(let raw):
                guard let fields = Self.decode(raw) else {
                    return .broken(line: startLine, reason: "the row is not valid UTF-8 (save the file as CSV UTF-8)")
                }
                if fields.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) {
                    blankLines += 1
                    continue
                }
                return .record(line: startLine, fields: fields)
            case .broken(let reason):
                restart(after: start, line: startLine)
                return .broken(line: startLine, reason: reason)
            }
        }
        return nil
    }

    private enum RawRecord {
        case fields([[UInt8]])
        case broken(String)
    }

    private enum State {
        case fieldStart
        case unquoted
        case quoted
        case afterClosingQuote
    }

    /// Reads from `index` to the end of the record (past its line break).
    private mutating func readRecord() -> RawRecord {
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var state = State.fieldStart
        let start = index
        while index < bytes.count {
            guard index - start < maxRecordBytes else {
                return .broken("the row is longer than \(maxRecordBytes) bytes")
            }
            let byte = bytes[index]
            index += 1
            switch state {
            case .quoted:
                if byte == UInt8(ascii: "\"") {
                    if index < bytes.count && bytes[index] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        state = .afterClosingQuote
                    }
                } else {
                    if byte == 0x0A || (byte == 0x0D && (index >= bytes.count || bytes[index] != 0x0A)) { line += 1 }
                    field.append(byte)
                }
            case .fieldStart, .unquoted, .afterClosingQuote:
                if byte == separator {
                    fields.append(field)
                    field = []
                    state = .fieldStart
                } else if byte == 0x0A || byte == 0x0D {
                    if byte == 0x0D && index < bytes.count && bytes[index] == 0x0A { index += 1 }
                    line += 1
                    fields.append(field)
                    return .fields(fields)
                } else if state == .afterClosingQuote {
                    // Spaces after a closing quote are padding some writers add; anything else is a broken row.
                    guard byte == 0x20 || byte == 0x09 else { return .broken("text follows a closing quote") }
                } else if state == .fieldStart && byte == UInt8(ascii: "\"") {
                    state = .quoted
                } else {
                    field.append(byte)
                    state = .unquoted
                }
            }
        }
        if state == .quoted { return .broken("a quoted field is not closed") }
        fields.append(field)
        return .fields(fields)
    }

    /// Continues on the line after the one a broken record started on.
    private mutating func restart(after start: Int, line startLine: Int) {
        var position = start
        while position < bytes.count && bytes[position] != 0x0A && bytes[position] != 0x0D { position += 1 }
        if position < bytes.count {
            if bytes[position] == 0x0D && position + 1 < bytes.count && bytes[position + 1] == 0x0A { position += 1 }
            position += 1
        }
        index = position
        line = startLine + 1
    }

    private static func decode(_ raw: [[UInt8]]) -> [String]? {
        var out: [String] = []
        out.reserveCapacity(raw.count)
        for field in raw {
            guard let text = String(validating: field, as: UTF8.self) else { return nil }
            out.append(text)
        }
        return out
    }
}
