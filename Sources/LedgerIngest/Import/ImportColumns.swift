import Foundation

/// Which column of an export holds which lead field.
///
/// Exports name their columns for people, in the owner's language: `Имя`, `Телефон`, `E-mail`, `Дата создания`. The
/// defaults recognise the common English and Russian names; `--columns phone=Моб. телефон,...` names the others.
/// Names are compared after `normalizedName` (case, `ё`, spaces, `_`, `-`, `.`, `:` do not matter), so `UTM Source`,
/// `utm_source` and `utm-source` are one column. A column that maps to no field is kept in the lead's `extra`, as an
/// unknown form field is (or dropped, with `ignoreUnknown`), so nothing in the file is silently lost.
public struct ImportColumns: Sendable, Equatable {
    /// The fields a column can fill: the ingest fields, the original time, and an idempotency key.
    public enum Field: String, Sendable, CaseIterable, Comparable {
        case name
        case phone
        case email
        case comment
        case formID = "form_id"
        case pageURL = "page_url"
        case utmSource = "utm_source"
        case utmMedium = "utm_medium"
        case utmCampaign = "utm_campaign"
        case utmContent = "utm_content"
        case utmTerm = "utm_term"
        case receivedAt = "received_at"
        case idempotencyKey = "idempotency_key"

        public static func < (lhs: Field, rhs: Field) -> Bool {
            allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
        }
    }

    /// Column names recognised without `--columns`, already normalised. Each field's own name is among them, so a
    /// file written with the ledger's names (or JSON Lines keyed by them) needs no mapping.
    public static let defaultNames: [Field: [String]] = [
        .name: ["name", "fullname", "fio", "имя", "фио", "клиент", "имяклиента", "контактноелицо"],
        .phone: [
            "phone", "phonenumber", "tel", "telephone", "mobile", "телефон", "тел", "номертелефона", "мобильный",
            "мобильныйтелефон", "контактныйтелефон",
        ],
        .email: ["email", "mail", "emailaddress", "почта", "электроннаяпочта", "элпочта", "емейл", "имейл"],
        .comment: ["comment", "comments", "message", "note", "комментарий", "сообщение", "примечание", "вопрос"],
        .formID: ["formid", "form", "форма", "названиеформы", "idформы"],
        .pageURL: ["pageurl", "page", "url", "страница", "адресстраницы", "urlстраницы"],
        .utmSource: ["utmsource"],
        .utmMedium: ["utmmedium"],
        .utmCampaign: ["utmcampaign"],
        .utmContent: ["utmcontent"],
        .utmTerm: ["utmterm"],
        .receivedAt: [
            "receivedat", "createdat", "created", "date", "datetime", "time", "timestamp", "submittedat", "дата",
            "датаивремя", "время", "датасоздания", "датазаявки", "датаполучения", "датаотправки", "создано",
        ],
        .idempotencyKey: ["idempotencykey"],
    ]

    /// Normalised column name → field, for names given with `--columns`.
    private var explicit: [String: Field] = [:]
    /// Unknown columns are dropped instead of kept in `extra`.
    public var ignoreUnknown: Bool

    /// - Parameter mapping: `field=Column,field=Column`, as `--columns` takes it; a column name cannot hold `,`.
    public init(mapping: String? = nil, ignoreUnknown: Bool = false) throws(ImportColumnsError) {
        self.ignoreUnknown = ignoreUnknown
        guard let mapping, !mapping.isEmpty else { return }
        var mapped: Set<Field> = []
        for pair in mapping.split(separator: ",", omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: "=") else { throw .notAPair(String(pair)) }
            let fieldName = pair[..<equals].trimmingCharacters(in: .whitespaces)
            guard let field = Field(rawValue: fieldName) else { throw .unknownField(fieldName) }
            let column = Self.normalizedName(String(pair[pair.index(after: equals)...]))
            guard !column.isEmpty else { throw .emptyColumn(fieldName) }
            guard mapped.insert(field).inserted else { throw .fieldTwice(fieldName) }
            guard explicit.updateValue(field, forKey: column) == nil else { throw .columnTwice(column) }
        }
    }

    /// The field `column` fills, or nil for an unknown column. A field named in `--columns` is filled from that
    /// column only: the default names stop pointing at it, so an export with both `Телефон` and a chosen
    /// `Моб. телефон` has one phone, not a conflict.
    public func field(forColumn column: String) -> Field? {
        let name = Self.normalizedName(column)
        if let field = explicit[name] { return field }
        let overridden = Set(explicit.values)
        return Self.defaultIndex[name].flatMap { overridden.contains($0) ? nil : $0 }
    }

    private static let defaultIndex: [String: Field] = {
        var index: [String: Field] = [:]
        for (field, names) in defaultNames {
            for name in names { index[name] = field }
        }
        return index
    }()

    /// Lowercased, NFC, `ё` as `е`, without whitespace, `_`, `-`, `.` and `:`.
    public static func normalizedName(_ column: String) -> String {
        let dropped: Set<Unicode.Scalar> = ["_", "-", ".", ":"]
        var out = String.UnicodeScalarView()
        for scalar in column.precomposedStringWithCanonicalMapping.lowercased().unicodeScalars
        where !scalar.properties.isWhitespace && !dropped.contains(scalar) {
            out.append(scalar == "ё" ? "е" : scalar)
        }
        return String(out)
    }
}

/// Why a `--columns` value was refused.
public enum ImportColumnsError: Error, Equatable, CustomStringConvertible {
    case notAPair(String)
    case unknownField(String)
    case emptyColumn(String)
    case fieldTwice(String)
    case columnTwice(String)

    public var description: String {
        switch self {
        case .notAPair(let text): "--columns: \(text) is not field=Column"
        case .unknownField(let field):
            "--columns: \(field) is not a field; fields are "
                + ImportColumns.Field.allCases.map(\.rawValue).joined(separator: ", ")
        case .emptyColumn(let field): "--columns: \(field) has no column name"
        case .fieldTwice(let field): "--columns: \(field) is given twice"
        case .columnTwice(let column): "--columns: the column \(column) is given for two fields"
        }
    }
}
