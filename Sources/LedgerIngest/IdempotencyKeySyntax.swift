import LedgerCore

/// What an idempotency key may be, for the `Idempotency-Key` header and an import's `idempotency_key` column alike.
///
/// The IETF draft makes the key opaque text; the ledger bounds it like the log does (`FieldLimits.idempotencyKey`)
/// and takes printable ASCII only, so a key is compared byte for byte and never needs Unicode normalisation.
public enum IdempotencyKeySyntax {
    public static func isValid(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= FieldLimits.idempotencyKey
            && key.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
    }

    public static var requirement: String { "1 to \(FieldLimits.idempotencyKey) printable ASCII characters" }
}
