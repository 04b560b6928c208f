import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// `leadledger import` through the real binary, on the files owners actually have.
@Suite(.serialized)
struct ImportCommandTests {
    /// What Russian Excel writes for "CSV (разделители - точки с запятой)" saved as UTF-8, after a few hands: a
    /// byte-order mark, `;`, CRLF, Cyrillic headers and values, blank lines (one of empty cells), a quoted `;`, a
    /// comment spanning two lines with doubled quotes, a row without a time, a row whose quote never closes, a bad
    /// phone, the first lead typed again a minute later, and a row with one cell too many.
    static let messyCSV =
        "\u{FEFF}"
        + [
            "Имя;Телефон;E-mail;Комментарий;Дата;utm_source;Статус",  // 1
            "Иван Петров;8 (916) 123-45-67;ivan@example.ru;\"Перезвоните; после 18:00\";20.11.2024 14:03;yandex;новая",
            "",  // 3
            "Анна;+7 916 555-00-01;;\"Многострочный\r\nкомментарий с \"\"кавычками\"\"\";20.11.2024 14:05:30;vk;",  // 4-5
            ";;;;;;",  // 6
            "Пётр;89165550002;petr@example.ru;Без даты;;google;",  // 7: no time
            "\"Сломанная строка;+79165550003;x@example.ru;нет кавычки;20.11.2024 15:00;;",  // 8: quote never closes
            "Мария;12345;;;20.11.2024 15:10;;",  // 9: bad phone
            "Олег;+79165550005;;Обычная заявка;2024-11-20T16:00:00+03:00;;",  // 10
            "Иван П.;+7 916 123 45 67;;Повторно;20.11.2024 14:04;yandex;",  // 11: line 2 again, a minute later
            "Лишние;+79165550006;;поля;20.11.2024 17:00;;;лишнее",  // 12: 8 cells
            "",  // 13
            "",
        ].joined(separator: "\r\n")

    private func workspaceWithLog() throws -> Workspace {
        let workspace = try Workspace()
        try workspace.withLog { _, _ in }
        return workspace
    }

    private func importJSON(_ workspace: Workspace, _ arguments: [String]) throws -> (CLIResult, [String: Any]) {
        let result = try workspace.leadledger(["import", "--format", "json"] + arguments)
        return (result, try jsonObject(result.stdout))
    }

    private func leadReceived(_ workspace: Workspace) throws -> [[String: Any]] {
        let result = try workspace.leadledger("events", "--type", "LeadReceived")
        #expect(result.code == 0, "\(result)")
        return try jsonLines(result)
    }

    @Test func aMessyExcelExportImportedTwiceAddsItsLeadsOnce() throws {
        let workspace = try workspaceWithLog()
        let path = try workspace.write("заявки.csv", Self.messyCSV)

        let first = try workspace.leadledger("import", path)
        #expect(first.code == 1, "invalid rows make exit 1: \(first)")
        #expect(first.stdout.contains("CSV, separator ';', 8 row(s), 3 blank line(s) skipped"), "\(first)")
        #expect(first.stdout.contains("imported: 3\n"), "\(first)")
        #expect(first.stdout.contains("skipped as duplicates: 1 (same idempotency key: 0; same phone or email and form"))
        #expect(first.stdout.contains("invalid: 4\n"), "\(first)")
        let listed = first.lines.filter { $0.hasPrefix("line ") }
        #expect(listed.count == 4, "\(first)")
        #expect(listed[0].hasPrefix("line 7: received_at (Дата): The time the lead was received is missing"))
        #expect(listed[1] == "line 8: a quoted field is not closed")
        #expect(listed[2].hasPrefix("line 9: phone (Телефон): The phone number is not valid"))
        #expect(listed[3].hasPrefix("line 12: The row has 8 fields, the header has 7"))
        #expect(first.stdout.contains("Статус → extra"), "\(first)")

        let second = try workspace.leadledger("import", path)
        #expect(second.code == 1, "\(second)")
        #expect(second.stdout.contains("imported: 0\n"), "\(second)")
        #expect(second.stdout.contains("skipped as duplicates: 4 "), "\(second)")
        #expect(second.lines.filter { $0.hasPrefix("line ") } == listed)

        let leads = try leadReceived(workspace)
        #expect(leads.count == 3)
        #expect(try workspace.leadledger("verify").code == 0)

        // Each lead is marked as imported, carries its original time, and its personal data as ingest stores it.
        let ivan = try #require(leads.first { (field($0, "data", "personal", "name") as? String) == "Иван Петров" })
        #expect(field(ivan, "data", "origin") as? String == "import")
        let ivanTime = try at("2024-11-20T11:03:00Z").millisecondsSinceEpoch
        #expect(int(field(ivan, "data", "received_at")).map(Int64.init) == ivanTime)
        #expect(field(ivan, "data", "personal", "phone") as? String == "+79161234567")
        #expect(field(ivan, "data", "personal", "comment") as? String == "Перезвоните; после 18:00")
        #expect(field(ivan, "data", "personal", "extra", "Статус") as? String == "новая")
        #expect(field(ivan, "data", "utm", "source") as? String == "yandex")
        let anna = try #require(leads.first { (field($0, "data", "personal", "name") as? String) == "Анна" })
        #expect(field(anna, "data", "personal", "comment") as? String == "Многострочный\nкомментарий с \"кавычками\"")
        let annaTime = try at("2024-11-20T11:05:30Z").millisecondsSinceEpoch
        #expect(int(field(anna, "data", "received_at")).map(Int64.init) == annaTime)
        let ids = leads.compactMap { $0["stream"] as? String }
        #expect(ids.allSatisfy { LeadID($0) != nil })
    }

    @Test func aDryRunWritesNothingAndPrintsWhatTheImportThenDoes() throws {
        let workspace = try workspaceWithLog()
        try workspace.withLog { log, clock in
            clock.set(try at("2024-11-20T11:00:00Z"))
            _ = try log.receive(knownLead(at: try at("2024-11-20T11:00:00Z"), phone: "+79165550005", key: "site-1"))
        }
        let path = try workspace.write("заявки.csv", Self.messyCSV)
        let head = try workspace.withLog { log, _ in try log.head() }

        let (rehearsal, planned) = try importJSON(workspace, ["--dry-run", path])
        #expect(rehearsal.code == 1, "\(rehearsal)")
        #expect(try workspace.withLog { log, _ in try log.head() } == head, "a dry run writes nothing")
        #expect(bool(planned["dry_run"]) == true)
        let text = try workspace.leadledger("import", "--dry-run", path)
        #expect(text.stdout.contains("(dry run: nothing written)"), "\(text)")
        #expect(text.stdout.contains("would import: 3\n"), "\(text)")

        let (real, done) = try importJSON(workspace, [path])
        #expect(real.code == 1, "\(real)")
        for key in ["rows", "blank_lines", "imported"] { #expect(int(planned[key]) == int(done[key]), "\(key)") }
        #expect(planned["duplicates"] as? NSDictionary == done["duplicates"] as? NSDictionary)
        #expect((planned["invalid"] as? NSArray) == (done["invalid"] as? NSArray))
        #expect(int(done["imported"]) == 3)
        #expect((done["leads"] as? [[String: Any]])?.compactMap { int($0["line"]) } == [2, 4, 10])

        let (again, repeated) = try importJSON(workspace, ["--dry-run", path])
        #expect(again.code == 1)
        #expect(int(repeated["imported"]) == 0, "after the import, a rehearsal sees every row as done: \(again)")
    }

    @Test func jsonLinesImportWithKeysAndEveryRowGoodExitsZero() throws {
        let workspace = try workspaceWithLog()
        let path = try workspace.write(
            "old-log.jsonl",
            """
            {"name":"Иван","phone":"+79161234567","received_at":"2024-11-20T14:03:00+03:00","idempotency_key":"site-41"}
            {"email":"anna@example.ru","received_at":"2024-11-21T09:00:00Z","form_id":"callback","utm_source":"vk"}

            """)
        let first = try workspace.leadledger("import", path)
        #expect(first.code == 0, "\(first)")
        #expect(first.stdout.contains("JSON Lines, 2 row(s)"), "\(first)")
        #expect(first.stdout.contains("imported: 2\n"), "\(first)")
        let second = try workspace.leadledger("import", path)
        #expect(second.code == 0, "duplicates are not failures: \(second)")
        #expect(second.stdout.contains("same idempotency key: 1; same phone or email and form within 600 s"), "\(second)")
        let leads = try leadReceived(workspace)
        #expect(leads.compactMap { field($0, "data", "idempotency_key") as? String } == ["site-41"])
        #expect(leads.compactMap { field($0, "data", "form_id") as? String } == ["callback"])
    }

    @Test func theDuplicateWindowIsAroundEachRowsOriginalTime() throws {
        let workspace = try workspaceWithLog()
        // A lead the site did deliver, form "main", last year.
        try workspace.withLog { log, clock in
            clock.set(try at("2024-11-20T11:03:10Z"))
            _ = try log.receive(knownLead(at: try at("2024-11-20T11:03:10Z"), phone: "+79161234567"))
        }
        let path = try workspace.write(
            "export.csv",
            """
            phone,date
            +79161234567,20.11.2024 14:03
            +79161234567,20.11.2024 14:30
            +79161234567,21.11.2024 14:03

            """)
        // Without --form the rows have no form and match nothing of form "main".
        let (_, planned) = try importJSON(workspace, ["--dry-run", path])
        #expect(int(planned["imported"]) == 3, "\(planned)")
        let (result, done) = try importJSON(workspace, ["--form", "main", path])
        #expect(result.code == 0, "\(result)")
        // 14:03 is the delivered lead (10 s apart), 14:30 is 27 minutes later: another lead; so is the next day.
        #expect(int(done["imported"]) == 2, "\(result)")
        #expect(int(field(done, "duplicates", "contact_and_form")) == 1, "\(result)")
        // A narrower window: a file whose lead is 60 s from the delivered one is a new lead with a 30 s window.
        let near = try workspace.write("near.csv", "phone,date\n+79161234567,20.11.2024 14:04:10\n")
        #expect(int(try importJSON(workspace, ["--form", "main", "--duplicate-window", "30", near]).1["imported"]) == 1)
        #expect(try leadReceived(workspace).count == 4)
    }

    @Test func importedLeadsArePendingForTheReactorLikeAnyOther() throws {
        let workspace = try workspaceWithLog()
        let path = try workspace.write("заявки.csv", Self.messyCSV)
        #expect(try workspace.leadledger("import", path).code == 1)
        let status = try workspace.leadledger("status")
        #expect(status.code == 0, "\(status)")
        let object = try jsonObject(status.stdout)
        #expect(int(field(object, "queue", "pending")) == 3, "\(status)")
        #expect(int(object["received_total"]) == 3, "\(status)")
        #expect(bool(field(object, "conservation", "holds")) == true, "\(status)")
    }

    @Test func fileWideProblemsWriteNothingAndExitThree() throws {
        let workspace = try workspaceWithLog()
        let noContact = try workspace.write("a.csv", "Имя;Дата\nИван;20.11.2024 14:03\n")
        let result = try workspace.leadledger("import", noContact)
        #expect(result.code == 3, "\(result)")
        #expect(result.stderr.contains("no column holds a phone or an email"), "\(result)")
        let big = try workspace.write("b.csv", "phone;date\n+79161234567;20.11.2024 14:03\n")
        let tooBig = try workspace.leadledger("import", "--max-file-bytes", "10", big)
        #expect(tooBig.code == 3, "\(tooBig)")
        #expect(tooBig.stderr.contains("larger than 10 bytes"), "\(tooBig)")
        let tooMany = try workspace.leadledger("import", "--max-rows", "0", big)
        #expect(tooMany.code == 2, "a limit of zero is a usage error: \(tooMany)")
        #expect(try workspace.leadledger("import", workspace.directory.file("missing.csv")).code == 3)
        #expect(try workspace.leadledger("import", "--columns", "telephone=X", big).code == 2)
        #expect(try leadReceived(workspace).isEmpty)
    }

    @Test func importNeedsAnExistingLog() throws {
        let workspace = try Workspace()
        let path = try workspace.write("a.csv", "phone;date\n+79161234567;20.11.2024 14:03\n")
        let result = try workspace.leadledger("import", path)
        #expect(result.code == 3, "\(result)")
        #expect(result.stderr.contains("no event log"), "\(result)")
    }
}
