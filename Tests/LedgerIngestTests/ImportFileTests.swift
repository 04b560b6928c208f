import Foundation
import LedgerCore
import Testing

@testable import LedgerIngest

/// A whole export read and judged row by row, before anything is written.
struct ImportFileTests {
    static let moscow = TimeZone(identifier: "Europe/Moscow") ?? .current
    static let now = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)

    private func options(
        columns: String? = nil, ignoreUnknown: Bool = false, form: String? = nil, defaultTime: Timestamp? = nil,
        limits: IngestLimits = IngestLimits(), fileLimits: ImportLimits = ImportLimits()
    ) throws -> ImportOptions {
        ImportOptions(
            columns: try ImportColumns(mapping: columns, ignoreUnknown: ignoreUnknown), limits: limits,
            fileLimits: fileLimits, time: ImportTime(timeZone: Self.moscow), defaultFormID: form,
            defaultReceivedAt: defaultTime, latestReceivedAt: Self.now)
    }

    private func read(_ text: String, format: ImportFormat = .csv, options: ImportOptions? = nil) throws -> ImportFile {
        try ImportFile.read(Array(text.utf8), format: format, options: options ?? self.options())
    }

    private func leads(_ file: ImportFile) -> [ImportedRow] {
        file.rows.compactMap {
            if case .lead(let row) = $0 { return row }
            return nil
        }
    }

    private func invalid(_ file: ImportFile) -> [InvalidImportRow] {
        file.rows.compactMap {
            if case .invalid(let row) = $0 { return row }
            return nil
        }
    }

    @Test func aRussianExcelRowBecomesTheSameSubmissionAFormPostWould() throws {
        let file = try read(
            "\u{FEFF}Имя;Телефон;E-mail;Комментарий;Дата создания;UTM Source;Статус\r\n"
                + "Иван Петров;8 (916) 123-45-67;Ivan@Example.RU;\"Перезвоните; после 18:00\";20.11.2024 14:03;yandex;новая\r\n")
        #expect(file.separator == ";")
        #expect(file.columns.map(\.field) == [.name, .phone, .email, .comment, .receivedAt, .utmSource, nil])
        let row = try #require(leads(file).first)
        let posted = try SubmissionParser.parse(
            body: Array(
                #"{"name":"Иван Петров","phone":"8 (916) 123-45-67","email":"Ivan@Example.RU","comment":"Перезвоните; после 18:00","utm_source":"yandex","Статус":"новая"}"#
                    .utf8),
            contentType: "application/json", honeypotField: ""
        ).get()
        #expect(row.submission == posted)
        #expect(row.submission.personal.phone == "+79161234567")
        #expect(row.receivedAt == Timestamp(iso8601: "2024-11-20T11:03:00Z"))
        #expect(row.line == 2)
        #expect(row.idempotencyKey == nil)
    }

    @Test func rowsAreRefusedForTheReasonsIngestGivesNamingTheFilesColumn() throws {
        let file = try read(
            "Имя;Телефон;Почта;Дата\n"
                + "Анна;12345;;20.11.2024 10:00\n"
                + "Борис;;;20.11.2024 10:00\n"
                + "Вера;+79161234567;not-an-email;20.11.2024 10:00\n"
                + "Глеб;+79161234567;;20.11.2024\n"
                + "Дина;+79161234567;;\n"
                + "Егор;+79161234567;;01.01.1900 00:00\n"
                + "Жанна;+79161234567;;01.01.2099 00:00\n"
                + "Зоя;+79161234567\n")
        let reasons = invalid(file).map(\.description)
        #expect(reasons.count == 8, "\(reasons)")
        #expect(reasons[0].hasPrefix("line 2: phone (Телефон): The phone number is not valid"), "\(reasons[0])")
        #expect(reasons[1] == "line 3: phone (Телефон): A phone number or an email address is required.")
        #expect(reasons[2] == "line 4: email (Почта): The email address is not valid.")
        #expect(reasons[3] == "line 5: received_at (Дата): The time has a date but no time of day (HH:MM).")
        #expect(reasons[4].hasPrefix("line 6: received_at (Дата): The time the lead was received is missing"))
        #expect(reasons[5] == "line 7: received_at (Дата): The time is before the year 2000.")
        #expect(reasons[6] == "line 8: received_at (Дата): The time is in the future.")
        #expect(reasons[7].hasPrefix("line 9: The row has 2 fields, the header has 4"))
    }

    @Test func ingestLimitsApplyToImportedRows() throws {
        var limits = IngestLimits()
        limits.maxCommentBytes = 10
        let file = try read(
            "phone,comment,date\n+79161234567,this comment is too long,2024-11-20T10:00:00Z\n",
            options: try options(limits: limits))
        #expect(invalid(file).map(\.description) == ["line 2: comment: The field is longer than 10 bytes."])
    }

    @Test func explicitColumnsWinAndTheDefaultNameForThatFieldBecomesExtra() throws {
        let file = try read(
            "Телефон,Моб.,when\n+79160000000,+79161234567,2024-11-20T10:00:00Z\n",
            options: try options(columns: "phone=Моб.,received_at=when"))
        #expect(file.columns.map(\.field) == [nil, .phone, .receivedAt])
        let row = try #require(leads(file).first)
        #expect(row.submission.personal.phone == "+79161234567")
        #expect(row.submission.personal.extra == ["Телефон": "+79160000000"])
        let ignored = try read(
            "Телефон,Моб.,when\n+79160000000,+79161234567,2024-11-20T10:00:00Z\n",
            options: try options(columns: "phone=Моб.,received_at=when", ignoreUnknown: true))
        #expect(try #require(leads(ignored).first).submission.personal.extra.isEmpty)
    }

    @Test func fileWideProblemsRefuseTheWholeFileWithTheFix() throws {
        #expect(throws: ImportFileError.noHeader) { try read("\n\n") }
        #expect(throws: ImportFileError.sameFieldTwice(field: "phone", columns: ["Телефон", "phone"])) {
            try read("Телефон;phone;Дата\n")
        }
        #expect(throws: ImportFileError.columnTwice("Статус")) { try read("Телефон;Статус;Дата;Статус\n") }
        #expect(try read("Телефон;Статус;Дата;Статус\n", options: try options(ignoreUnknown: true)).rows.isEmpty)
        #expect(throws: ImportFileError.noContactColumn(columns: ["Имя", "Дата"])) { try read("Имя;Дата\nА;1\n") }
        #expect(throws: ImportFileError.noTimeColumn(columns: ["Имя", "Телефон"])) { try read("Имя;Телефон\n") }
        #expect(throws: ImportFileError.tooLarge(max: 10)) {
            try read("phone,date\n+79161234567,x\n", options: try options(fileLimits: ImportLimits(maxFileBytes: 10)))
        }
        #expect(throws: ImportFileError.tooManyRows(max: 2)) {
            try read("phone,date\n1,x\n2,y\n3,z\n", options: try options(fileLimits: ImportLimits(maxRows: 2)))
        }
    }

    @Test func aDefaultTimeAndFormFillRowsWithout() throws {
        let fallback = try #require(Timestamp(iso8601: "2024-11-01T00:00:00Z"))
        let file = try read(
            "phone,form_id\n+79161234567,\n+79161234568,landing\n", options: try options(form: "main", defaultTime: fallback))
        #expect(leads(file).map(\.receivedAt) == [fallback, fallback])
        #expect(leads(file).map(\.submission.formID) == ["main", "landing"])
    }

    @Test func jsonLinesAreReadByTheIngestJSONRules() throws {
        let text = """
            {"name":"Иван","phone":89161234567,"received_at":"2024-11-20T14:03:00+03:00","idempotency_key":"order-1"}

            {"phone":"+79161234567","phone":"+79161234568","received_at":"2024-11-20T14:03:00+03:00"}
            not json
            {"email":"a@b.ru","received_at":"20.11.2024 14:03","utm":{"source":"x"}}
            {"email":"a@b.ru","Дата":"20.11.2024 14:03","idempotency_key":"ключ"}\r
            {"email":"a@b.ru","received_at":"20.11.2024 14:03","Дата":"20.11.2024 14:04"}
            """
        let file = try read(text, format: .jsonl)
        let row = try #require(leads(file).first)
        #expect(row.line == 1)
        #expect(row.submission.personal.phone == "+79161234567")
        #expect(row.idempotencyKey == "order-1")
        #expect(file.blankLines == 1)
        #expect(
            invalid(file).map(\.description) == [
                "line 3: phone: The field appears more than once; send each field once.",
                "line 4: The JSON body must be an object of form fields.",
                "line 5: utm: The field must be a string, number or boolean, not an object or array.",
                "line 6: idempotency_key: The key must be 1 to 255 printable ASCII characters.",
                "line 7: received_at: The field appears more than once; send each field once.",
            ])
    }

    @Test func theFormatIsTakenFromTheNameOrTheContent() {
        #expect(ImportFormat(path: "leads.CSV") == .csv)
        #expect(ImportFormat(path: "leads.ndjson") == .jsonl)
        #expect(ImportFormat(path: "leads") == nil)
        #expect(ImportFormat(sniffing: CSVReader.byteOrderMark + Array("\n {\"a\":1}".utf8)) == .jsonl)
        #expect(ImportFormat(sniffing: Array("a;b".utf8)) == .csv)
    }

    @Test func randomFilesAlwaysGetAnAnswer() throws {
        var random = SplitMix64(seed: 0x1_1AB0)
        let pieces = [
            "phone;date;comment\n", "+79161234567;20.11.2024 10:00;", "\"", "\"\"", ";", "\r\n", "\n", "{", "}",
            "\"phone\":\"+79161234567\",", "\u{FEFF}", "Имя", "\u{0}", "\t", ",", "2024-11-20T10:00:00Z",
        ]
        let small = ImportLimits(maxFileBytes: 2000, maxRows: 30, maxRecordBytes: 40)
        for _ in 0..<1500 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(random.next() % 40) {
                if random.next() % 5 == 0 {
                    bytes.append(UInt8(truncatingIfNeeded: random.next()))
                } else {
                    bytes += Array(pieces[Int(random.next() % UInt64(pieces.count))].utf8)
                }
            }
            let format: ImportFormat = random.next() % 2 == 0 ? .csv : .jsonl
            let options = try options(fileLimits: random.next() % 2 == 0 ? small : ImportLimits())
            do {
                let file = try ImportFile.read(bytes, format: format, options: options)
                #expect(file.rows.count <= options.fileLimits.maxRows)
                for row in leads(file) {
                    #expect(row.submission.personal.phone != nil || row.submission.personal.email != nil)
                }
                for row in invalid(file) { #expect(row.line >= 1 && !row.reason.isEmpty) }
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }
}
