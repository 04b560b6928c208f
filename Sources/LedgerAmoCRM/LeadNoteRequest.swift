import Foundation
import LedgerCore

/// The body of `POST /api/v4/leads/notes`: a plain-text note carrying what the create call had no field for.
///
/// The comment, page URL and unknown form fields of a lead are what a manager needs before calling back. When the
/// account has no custom field for them they would be lost, so the reactor adds them as a note once the lead exists.
/// The note follows the create and never makes a lead unsynced; it has attempts and retries of its own. Its last line
/// names the ledger lead, so the lead's notes can be checked for it after an unknown outcome (`carries(_:in:)`).
public enum LeadNoteRequest {
    /// The note text for `lead`, or nil when every value found a custom field (or there is nothing to say).
    /// Extra form fields are listed in key order, so equal leads give equal notes.
    public static func text(for lead: OutgoingLead, mapping: LeadMapping) -> String? {
        var lines: [String] = []
        if mapping.fields.comment == nil, let comment = nonEmpty(lead.personal.comment) {
            lines.append("Комментарий: \(comment)")
        }
        if mapping.fields.pageURL == nil, let page = nonEmpty(lead.personal.pageURL) {
            lines.append("Страница: \(page)")
        }
        for key in lead.personal.extra.keys.sorted() {
            if let value = nonEmpty(lead.personal.extra[key]) { lines.append("\(key): \(value)") }
        }
        guard !lines.isEmpty else { return nil }
        lines.append("\(marker)\(lead.requestID)")
        return lines.joined(separator: "\n")
    }

    /// Whether a note's text is the one `text(for:mapping:)` wrote for the ledger lead `requestID`.
    public static func carries(_ requestID: String, in noteText: String) -> Bool {
        noteText.contains("\(marker)\(requestID)")
    }

    /// Starts the note's last line; the ledger lead id follows.
    static let marker = "LeadLedger: "

    /// One `common` note per `(requestID, crmLeadID, text)`, as a JSON array. AmoCRM echoes each `request_id`, so the
    /// reply names each note's lead even when two ledger leads share one CRM lead (merged).
    public static func body(notes: [(requestID: String, crmLeadID: Int64, text: String)]) -> [UInt8] {
        let wire = notes.map {
            WireNote(entityID: $0.crmLeadID, requestID: $0.requestID, params: WireNote.Params(text: $0.text))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and integers cannot fail; an empty array is the harmless fallback.
        return (try? encoder.encode(wire)).map { Array($0) } ?? Array("[]".utf8)
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }
}

private struct WireNote: Encodable {
    struct Params: Encodable {
        var text: String
    }

    var entityID: Int64
    var noteType = "common"
    var requestID: String
    var params: Params

    enum CodingKeys: String, CodingKey {
        case entityID = "entity_id"
        case noteType = "note_type"
        case requestID = "request_id"
        case params
    }
}
