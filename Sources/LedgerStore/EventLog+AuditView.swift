import Foundation
import LedgerCore

extension EventLog {
    /// An event as auditors see it (CLI `events`, admin API): `seq`, `stream`, `version`, `type`, `schema_version`,
    /// `recorded_at` (ISO 8601), `prev_hash`, `hash`, `data`. A `LeadReceived`'s sealed `personal` is replaced by the
    /// opened personal data, or by `null` with `"erased": true` once the lead was erased.
    public func auditObject(_ event: RecordedEvent) throws -> [String: Any] {
        var data = try Self.jsonObject(event.data)
        if event.type == EventType.leadReceived.rawValue, case .leadReceived(let lead) = try event.decode(strict: false) {
            switch try personalData(of: lead) {
            case .available(let personal):
                data["personal"] = try Self.jsonObject(EventJSON.encode(personal))
            case .erased:
                data["personal"] = NSNull()
                data["erased"] = true
            }
        }
        return [
            "seq": event.seq, "stream": event.stream, "version": event.version, "type": event.type,
            "schema_version": event.schemaVersion, "recorded_at": event.recordedAt.iso8601, "prev_hash": event.prevHash,
            "hash": event.hash, "data": data,
        ]
    }

    /// `auditObject` as one line of JSON with sorted keys.
    public func auditLine(_ event: RecordedEvent) throws -> String {
        let bytes = try JSONSerialization.data(
            withJSONObject: auditObject(event), options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func jsonObject(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw StoreError(.corrupt, "event body is not a JSON object")
        }
        return object
    }
}
