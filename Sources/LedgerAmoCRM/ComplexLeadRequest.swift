import Foundation
import LedgerCore

/// The body of one `POST /api/v4/leads/complex`: up to 50 leads, each with its contact, as a JSON array.
///
/// Each lead's `request_id` is its ledger lead id, so the reply is matched to leads by value, never by position. The
/// ledger lead id is also always written into the lead *name* (`Заявка с сайта · form · 0190…`), because AmoCRM's
/// full-text `query` search finds names with zero configuration, while `request_id` is only echoed, never stored:
/// the name is what lets a create call with an unknown outcome be reconciled instead of resent.
public struct ComplexLeadRequest: Sendable, Equatable {
    /// The request ids in send order; pass them to `ComplexCreateReply.classify` to match the reply.
    public let requestIDs: [String]
    /// UTF-8 JSON, keys sorted so equal input gives equal bytes.
    public let body: [UInt8]
    /// Per request id, the `field_id` of each lead custom-field value in send order, and the `field_code` of each
    /// contact field: what a validation error's path (`custom_fields_values.2.field_id`) points at.
    public let customFieldIDs: [String: [Int64?]]
    public let contactFieldCodes: [String: [String?]]

    /// Builds the body. Throws rather than silently dropping or splitting leads: the caller decides the batches.
    public init(leads: [OutgoingLead], mapping: LeadMapping) throws(ComplexLeadRequestError) {
        guard !leads.isEmpty else { throw ComplexLeadRequestError(.empty) }
        guard leads.count <= AmoCRMAPI.maxLeadsPerComplexRequest else {
            throw ComplexLeadRequestError(.tooManyLeads(leads.count))
        }
        var seen = Set<LeadID>()
        for lead in leads where !seen.insert(lead.leadID).inserted {
            throw ComplexLeadRequestError(.duplicateLead(lead.leadID))
        }
        var wire: [WireLead] = []
        for lead in leads {
            let built = WireLead(lead: lead, mapping: mapping)
            let fieldCount = built.customFieldCount
            guard fieldCount <= AmoCRMAPI.maxCustomFieldValuesPerEntity else {
                throw ComplexLeadRequestError(.tooManyCustomFields(lead.leadID, fieldCount))
            }
            wire.append(built)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            body = Array(try encoder.encode(wire))
        } catch {
            throw ComplexLeadRequestError(.encodingFailed(String(describing: error)))
        }
        requestIDs = leads.map(\.requestID)
        customFieldIDs = Dictionary(
            zip(requestIDs, wire.map { ($0.customFieldsValues ?? []).map(\.fieldID) }), uniquingKeysWith: { first, _ in first })
        contactFieldCodes = Dictionary(
            zip(requestIDs, wire.map { ($0.embedded.contacts?.first?.customFieldsValues ?? []).map(\.fieldCode) }),
            uniquingKeysWith: { first, _ in first })
    }

    /// The lead name: prefix, form id (if any) and the ledger lead id, separated by ` · `.
    ///
    /// The lead id is never cut; the form id is cut first, then the prefix, so the name stays within AmoCRM's bound
    /// and always carries the search needle whole.
    public static func leadName(for lead: OutgoingLead, prefix: String) -> String {
        let separator = " · "
        let id = lead.leadID.description
        let budget = AmoCRMAPI.maxLeadNameCharacters - id.count - separator.count
        var head = prefix.trimmingCharacters(in: .whitespacesAndNewlines)
        if let form = lead.formID?.trimmingCharacters(in: .whitespacesAndNewlines), !form.isEmpty {
            head = head.isEmpty ? form : head + separator + form
        }
        head = String(head.prefix(max(0, budget)))
        return head.isEmpty ? id : head + separator + id
    }
}

/// Why a complex request could not be built. Programmer errors in batching, mostly; typed so the reactor can name
/// the lead at fault.
public struct ComplexLeadRequestError: Error, Equatable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        case empty
        case tooManyLeads(Int)
        case duplicateLead(LeadID)
        case tooManyCustomFields(LeadID, Int)
        case encodingFailed(String)
    }

    public var reason: Reason

    public init(_ reason: Reason) { self.reason = reason }

    public var description: String {
        switch reason {
        case .empty: "a complex request needs at least one lead"
        case .tooManyLeads(let count):
            "\(count) leads in one complex request; AmoCRM takes at most \(AmoCRMAPI.maxLeadsPerComplexRequest)"
        case .duplicateLead(let id): "lead \(id) appears twice in one complex request; replies could not be matched"
        case .tooManyCustomFields(let id, let count):
            "lead \(id) has \(count) custom-field values; AmoCRM takes at most \(AmoCRMAPI.maxCustomFieldValuesPerEntity)"
        case .encodingFailed(let detail): "could not encode the complex request: \(detail)"
        }
    }
}
