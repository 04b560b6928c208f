import Foundation
import LedgerCore

/// The body of `POST /api/v4/leads/notes`: a plain-text note carrying what the create call had no field for.
///
/// The comment, page URL and unknown form fields of a lead are what a manager needs before calling back. When the
/// account has no custom field for them they would be lost, so the reactor adds them as a note once the lead exists.
/// The note is best effort and follows the create: a lost note never makes a lead unsynced.
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
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    /// One `common` note per `(crmLeadID, text)` pair, as a JSON array.
    public static func body(notes: [(crmLeadID: Int64, text: String)]) -> [UInt8] {
        let wire = notes.map { WireNote(entityID: $0.crmLeadID, params: WireNote.Params(text: $0.text)) }
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
    var params: Params

    enum CodingKeys: String, CodingKey {
        case entityID = "entity_id"
        case noteType = "note_type"
        case params
    }
}
