import LedgerCore

/// A lead ready for the receiving transaction: personal data sealed under a fresh key, the event encoded and
/// validated, the contact fingerprints computed. Only `LeadPreparer` makes one, so every backend writes the same
/// bytes for the same lead.
public struct PreparedLead: Sendable {
    public internal(set) var event: LeadReceived
    /// The event's JSON, exactly as it is stored and hashed.
    public internal(set) var data: String
    /// The lead's own key for its sealed personal data (the erasable `lead_key` row).
    public internal(set) var key: [UInt8]
    public internal(set) var phoneFingerprint: String?
    public internal(set) var emailFingerprint: String?
    public internal(set) var submissionFingerprint: String?
    public internal(set) var duplicateWindowStart: Timestamp?
    public internal(set) var duplicateWindowEnd: Timestamp?
}

/// The part of receiving a lead that needs no database: sealing, encoding and fingerprinting under one log's
/// contact-fingerprint secret. It costs more CPU than the transaction itself (docs/BENCHMARKS.md) and takes no lock,
/// so each request prepares its own lead and group commit keeps only the transaction on its writer.
public struct LeadPreparer: Sendable {
    public let fingerprinter: ContactFingerprinter

    public init(contactSecret: [UInt8]) {
        fingerprinter = ContactFingerprinter(secret: contactSecret)
    }

    /// Seals, encodes and fingerprints `lead`; safe to call from any thread.
    public func prepare(_ lead: NewLead) throws(StoreError) -> PreparedLead {
        let key = PersonalDataSealer.makeKey()
        do {
            let event = LeadReceived(
                leadID: lead.leadID, receivedAt: lead.receivedAt, origin: lead.origin, formID: lead.formID, utm: lead.utm,
                idempotencyKey: lead.idempotencyKey,
                personal: try PersonalDataSealer.seal(lead.personal, leadID: lead.leadID, key: key), spam: lead.spam)
            return PreparedLead(
                event: event, data: try EventLog.encode(.leadReceived(event)), key: key,
                phoneFingerprint: lead.personal.phone.map(fingerprinter.phone),
                emailFingerprint: lead.personal.email.map(fingerprinter.email),
                submissionFingerprint: lead.submissionFingerprint, duplicateWindowStart: lead.duplicateWindowStart,
                duplicateWindowEnd: lead.duplicateWindowEnd)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.invalidEvent, "lead \(lead.leadID): \(error)")
        }
    }
}
