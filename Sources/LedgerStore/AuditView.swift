import Foundation
import LedgerCore

/// An event as auditors see it (CLI `events` and `lead --json`, admin API): `seq`, `stream`, `version`, `type`,
/// `schema_version`, `recorded_at` (ISO 8601), `prev_hash`, `hash`, `data`. A `LeadReceived`'s sealed `personal` is
/// replaced by the opened personal data, or by `null` with `"erased": true` once the lead was erased. The view is
/// the same from either store; only opening the personal data asks the store.
public enum AuditView {
    /// The lead whose personal data the view of `event` opens: a `LeadReceived`'s own, nil for any other event.
    public static func sealedLead(in event: RecordedEvent) throws -> LeadReceived? {
        guard event.type == EventType.leadReceived.rawValue, case .leadReceived(let lead) = try event.decode(strict: false)
        else { return nil }
        return lead
    }

    /// The view of `event`, with `personal` the lookup of `sealedLead(in:)` (nil when it has none).
    public static func object(_ event: RecordedEvent, personal: PersonalDataLookup?) throws -> [String: Any] {
        var data = try jsonObject(event.data)
        switch personal {
        case .available(let opened):
            data["personal"] = try jsonObject(EventJSON.encode(opened))
        case .erased:
            data["personal"] = NSNull()
            data["erased"] = true
        case nil:
            break
        }
        return [
            "seq": event.seq, "stream": event.stream, "version": event.version, "type": event.type,
            "schema_version": event.schemaVersion, "recorded_at": event.recordedAt.iso8601, "prev_hash": event.prevHash,
            "hash": event.hash, "data": data,
        ]
    }

    /// `object` as one line of JSON with sorted keys.
    public static func line(_ event: RecordedEvent, personal: PersonalDataLookup?) throws -> String {
        let bytes = try JSONSerialization.data(
            withJSONObject: object(event, personal: personal), options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func jsonObject(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw StoreError(.corrupt, "event body is not a JSON object")
        }
        return object
    }
}

extension EventStore {
    /// The audit view of `event` as one line of JSON, its personal data opened by this store.
    public func auditLine(_ event: RecordedEvent) async throws -> String {
        let personal: PersonalDataLookup? =
            if let lead = try AuditView.sealedLead(in: event) { try await personalData(of: lead) } else { nil }
        return try AuditView.line(event, personal: personal)
    }
}

extension EventStore {
    /// The audit view of `event` as a JSON object (the admin API's).
    public func auditObject(_ event: RecordedEvent) async throws -> [String: Any] {
        let personal: PersonalDataLookup? =
            if let lead = try AuditView.sealedLead(in: event) { try await personalData(of: lead) } else { nil }
        return try AuditView.object(event, personal: personal)
    }
}
