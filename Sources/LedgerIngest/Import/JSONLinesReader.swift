/// Reads JSON Lines: one flat JSON object of form fields per line, as ingest takes a JSON body.
///
/// Each line goes through `FlatJSONReader`, the ingest endpoint's own reader, so an exported line obeys exactly the
/// rules a posted body does (duplicate names refused, numbers kept as their text, nested values refused by name).
/// A line is a line: JSON strings cannot hold a raw line break, so a bad line never takes the next one with it.
struct JSONLinesReader {
    enum Item: Equatable {
        case record(line: Int, fields: [RawField])
        case broken(line: Int, rejection: IngestRejection)
    }

    private let bytes: [UInt8]
    private let limits: IngestLimits
    private let maxRecordBytes: Int
    private var index: Int
    private var line = 0
    private(set) var blankLines = 0

    init(_ bytes: [UInt8], maxRecordBytes: Int, limits: IngestLimits) {
        self.bytes = bytes
        self.maxRecordBytes = maxRecordBytes
        // A line is a body: its size is the record limit, not the endpoint's.
        var limits = limits
        limits.maxBodyBytes = maxRecordBytes
        self.limits = limits
        index = bytes.starts(with: CSVReader.byteOrderMark) ? CSVReader.byteOrderMark.count : 0
    }

    mutating func next() -> Item? {
        while index < bytes.count {
            line += 1
            let start = index
            while index < bytes.count && bytes[index] != 0x0A { index += 1 }
            var end = index
            if index < bytes.count { index += 1 }
            if end > start && bytes[end - 1] == 0x0D { end -= 1 }
            let content = bytes[start..<end]
            if content.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                blankLines += 1
                continue
            }
            guard content.count <= maxRecordBytes else {
                return .broken(
                    line: line,
                    rejection: IngestRejection(status: 413, error: "The line is longer than \(maxRecordBytes) bytes."))
            }
            do {
                return .record(line: line, fields: try FlatJSONReader.read(Array(content), limits: limits))
            } catch {
                return .broken(line: line, rejection: error)
            }
        }
        return nil
    }
}
