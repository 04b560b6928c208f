import LedgerCore

/// A row of an export that passed every rule an HTTP lead must pass, with the time it was first received.
public struct ImportedRow: Sendable, Equatable {
    /// The line the row starts on (the header is line 1).
    public var line: Int
    public var submission: LeadSubmission
    public var receivedAt: Timestamp
    /// From the file's `idempotency_key` column, when it has one (a site's own request ids, an export of a system
    /// that used them): a lead that reached the ledger with that key is then recognised whatever its time.
    ///
    /// A row without one gets no key made up from its content, although that would be the obvious way to make a
    /// second import skip it. A key is stored in clear in the `LeadReceived` event, which is immutable; erasing the
    /// lead destroys its personal data but not the key. A key hashed from the phone, time and form could be reversed
    /// by hashing every phone number with the time and form the event shows in clear (ten billion hashes: minutes on
    /// a laptop), which would undo `erase`. Instead the import recognises its own rows by the contact-and-form rule
    /// anchored at the row's original time (the window is never narrower than that instant): it matches on the
    /// keyed contact fingerprints, which live beside the log and are erased with the lead. Importing a file again,
    /// a year later or with `--duplicate-window 0`, finds each row's lead at the very millisecond it was imported
    /// with. The cost: after `erase`, importing a file that still holds the person brings them back, as a new
    /// form post from them would; take them out of the export too.
    public var idempotencyKey: String?

    public init(line: Int, submission: LeadSubmission, receivedAt: Timestamp, idempotencyKey: String?) {
        self.line = line
        self.submission = submission
        self.receivedAt = receivedAt
        self.idempotencyKey = idempotencyKey
    }
}

/// A row that was not imported, and why: a sentence for `line N: reason`.
public struct InvalidImportRow: Sendable, Equatable {
    public var line: Int
    /// The lead field at fault (`phone`, `received_at`, an unknown column's name), when one is.
    public var field: String?
    /// The file's own name for that column when it differs from `field` (`Телефон` for `phone`).
    public var column: String?
    public var reason: String

    public init(line: Int, field: String? = nil, column: String? = nil, reason: String) {
        self.line = line
        self.field = field
        self.column = column
        self.reason = reason
    }

    /// `line 7: phone (Телефон): The phone number is not valid: …`.
    public var description: String {
        var out = "line \(line): "
        if let field {
            out += field
            if let column, column != field { out += " (\(column))" }
            out += ": "
        }
        return out + reason
    }
}

/// One row's fate after reading and validation.
public enum ImportRowOutcome: Sendable, Equatable {
    case lead(ImportedRow)
    case invalid(InvalidImportRow)

    public var line: Int {
        switch self {
        case .lead(let row): row.line
        case .invalid(let row): row.line
        }
    }
}
