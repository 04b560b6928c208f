import Testing

@testable import LedgerIngest

/// The CSV reader on what spreadsheets really write, and on what a hand-edited file does to it.
struct CSVReaderTests {
    private func items(_ text: String, separator: UInt8? = nil, maxRecordBytes: Int = 65_536) -> [CSVReader.Item] {
        items(Array(text.utf8), separator: separator, maxRecordBytes: maxRecordBytes)
    }

    private func items(_ bytes: [UInt8], separator: UInt8? = nil, maxRecordBytes: Int = 65_536) -> [CSVReader.Item] {
        var reader = CSVReader(bytes, separator: separator, maxRecordBytes: maxRecordBytes)
        var out: [CSVReader.Item] = []
        while let item = reader.next() { out.append(item) }
        return out
    }

    @Test func aByteOrderMarkIsNotPartOfTheFirstColumnName() {
        let read = items(CSVReader.byteOrderMark + Array("Имя;Телефон\r\nИван;+79161234567\r\n".utf8))
        #expect(read == [.record(line: 1, fields: ["Имя", "Телефон"]), .record(line: 2, fields: ["Иван", "+79161234567"])])
    }

    @Test func theSeparatorIsGuessedFromTheHeaderNotFromTheRows() {
        #expect(CSVReader.guessSeparator(ArraySlice("a;b;c\n1,2;3,4;5".utf8)) == UInt8(ascii: ";"))
        #expect(CSVReader.guessSeparator(ArraySlice("a,b,c\n1;2".utf8)) == UInt8(ascii: ","))
        #expect(CSVReader.guessSeparator(ArraySlice("a\tb\n".utf8)) == 0x09)
        #expect(CSVReader.guessSeparator(ArraySlice(#""a;b",c"#.utf8)) == UInt8(ascii: ","), "quoted ; does not count")
        #expect(CSVReader.guessSeparator(ArraySlice("phone".utf8)) == UInt8(ascii: ","))
    }

    @Test func quotedFieldsKeepSeparatorsDoubledQuotesAndLineBreaks() {
        let text = "a;b;c\r\n\"x; y\";\"he said \"\"hi\"\"\";\"line one\r\nline two\"\r\nnext;row;here\r\n"
        #expect(
            items(text) == [
                .record(line: 1, fields: ["a", "b", "c"]),
                .record(line: 2, fields: ["x; y", #"he said "hi""#, "line one\r\nline two"]),
                .record(line: 4, fields: ["next", "row", "here"]),
            ])
    }

    @Test func blankLinesAndRowsOfEmptyCellsAreSkippedButCounted() {
        var reader = CSVReader(Array("a;b\n\n;;\n  ; \n1;2\n\r\n".utf8), maxRecordBytes: 100)
        var read: [CSVReader.Item] = []
        while let item = reader.next() { read.append(item) }
        #expect(read == [.record(line: 1, fields: ["a", "b"]), .record(line: 5, fields: ["1", "2"])])
        #expect(reader.blankLines == 4)
    }

    @Test func anUnclosedQuoteCostsOneRowNotTheRestOfTheFile() {
        let text = "a;b\n\"broken;1\nok;2\nalso;3\n"
        #expect(
            items(text) == [
                .record(line: 1, fields: ["a", "b"]), .broken(line: 2, reason: "a quoted field is not closed"),
                .record(line: 3, fields: ["ok", "2"]), .record(line: 4, fields: ["also", "3"]),
            ])
    }

    @Test func aStrayQuoteThatClosesOnALaterRowIsCaughtAndTheRowsAfterItAreRead() {
        let text = "a;b\n\"broken;1\nok;\"quoted\"\nlast;4\n"
        #expect(
            items(text) == [
                .record(line: 1, fields: ["a", "b"]), .broken(line: 2, reason: "text follows a closing quote"),
                .record(line: 3, fields: ["ok", "quoted"]), .record(line: 4, fields: ["last", "4"]),
            ])
    }

    @Test func aQuoteInsideAnUnquotedCellIsText() {
        #expect(
            items("a,b\n5\" screen,x\n") == [
                .record(line: 1, fields: ["a", "b"]), .record(line: 2, fields: ["5\" screen", "x"]),
            ])
    }

    @Test func aRowOverTheLimitIsBrokenAndTheNextRowIsRead() {
        let text = "a;b\n" + String(repeating: "x", count: 200) + ";1\nok;2\n"
        #expect(
            items(text, maxRecordBytes: 50) == [
                .record(line: 1, fields: ["a", "b"]), .broken(line: 2, reason: "the row is longer than 50 bytes"),
                .record(line: 3, fields: ["ok", "2"]),
            ])
    }

    @Test func aRowThatIsNotUTF8IsBrokenAndNamesTheFix() {
        // "Иван" in Windows-1251, as an old Excel saves "CSV (разделители - точки с запятой)".
        let bytes = Array("a;b\n".utf8) + [0xC8, 0xE2, 0xE0, 0xED] + Array(";1\nok;2\n".utf8)
        let read = items(bytes)
        #expect(read.count == 3)
        guard case .broken(let line, let reason) = read[1] else {
            Issue.record("\(read)")
            return
        }
        #expect(line == 2)
        #expect(reason.contains("UTF-8"))
        #expect(read[2] == .record(line: 3, fields: ["ok", "2"]))
    }

    @Test func lineEndingsOfEveryKindCountAsOneLineEach() {
        #expect(
            items("a,b\r1,2\r\n3,4\n5,6") == [
                .record(line: 1, fields: ["a", "b"]), .record(line: 2, fields: ["1", "2"]),
                .record(line: 3, fields: ["3", "4"]), .record(line: 4, fields: ["5", "6"]),
            ])
    }

    @Test func garbageAlwaysEndsAndNeverTraps() {
        var random = SplitMix64(seed: 0xC5F)
        let alphabet: [UInt8] = Array("\";,\t\r\n a\u{FF}".utf8) + [0xFF, 0xC3, 0x00, 0xEF, 0xBB, 0xBF]
        for _ in 0..<3000 {
            let length = Int(random.next() % 300)
            let bytes = (0..<length).map { _ in
                random.next() % 3 == 0
                    ? UInt8(truncatingIfNeeded: random.next()) : alphabet[Int(random.next() % UInt64(alphabet.count))]
            }
            var reader = CSVReader(bytes, maxRecordBytes: Int(random.next() % 64) + 1)
            var count = 0
            while let item = reader.next() {
                count += 1
                if case .record(let line, _) = item { #expect(line >= 1) }
                #expect(count <= bytes.count + 1, "each item consumes input")
                if count > bytes.count + 1 { break }
            }
        }
    }
}
