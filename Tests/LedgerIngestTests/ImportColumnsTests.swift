import Testing

@testable import LedgerIngest

/// Which column fills which field: the defaults owners' exports use, and `--columns`.
struct ImportColumnsTests {
    @Test(arguments: [
        ("Имя", ImportColumns.Field.name), ("ФИО", .name), ("Телефон", .phone), ("Тел.", .phone),
        ("Номер телефона", .phone), ("E-mail", .email), ("Эл. почта", .email), ("ПОЧТА", .email),
        ("Комментарий", .comment), ("Дата создания", .receivedAt), ("Дата", .receivedAt), ("created_at", .receivedAt),
        ("UTM Source", .utmSource), ("utm-campaign", .utmCampaign), ("Форма", .formID), ("Страница", .pageURL),
        ("idempotency_key", .idempotencyKey), ("  Телефон  ", .phone), ("Ёмейл", .email), ("Емейл", .email),
        ("Статус", nil),
    ])
    func commonEnglishAndRussianNamesAreRecognised(_ column: String, _ field: ImportColumns.Field?) throws {
        #expect(try ImportColumns().field(forColumn: column) == field, "\(column)")
    }

    @Test func namedColumnsOverrideTheDefaultsForTheirFieldOnly() throws {
        let columns = try ImportColumns(mapping: "phone=Моб. телефон, received_at = Когда")
        #expect(columns.field(forColumn: "моб телефон") == .phone)
        #expect(columns.field(forColumn: "Телефон") == nil, "the default name no longer fills phone")
        #expect(columns.field(forColumn: "Когда") == .receivedAt)
        #expect(columns.field(forColumn: "E-mail") == .email, "other fields keep their defaults")
    }

    @Test(arguments: [
        ("phone", ImportColumnsError.notAPair("phone")), ("telephone=X", .unknownField("telephone")),
        ("phone=", .emptyColumn("phone")), ("phone=A,phone=B", .fieldTwice("phone")),
        ("phone=A,email=a", .columnTwice("a")),
    ])
    func aBadMappingIsRefusedSayingWhy(_ mapping: String, _ error: ImportColumnsError) {
        #expect(throws: error) { try ImportColumns(mapping: mapping) }
    }
}
