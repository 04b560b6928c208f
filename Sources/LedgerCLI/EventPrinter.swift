import Foundation
import LedgerCore
import LedgerStore

/// Renders events as the SPEC's JSON Lines: `seq`, `stream`, `version`, `type`, `schema_version`, `recorded_at`,
/// `prev_hash`, `hash`, `data`. A `LeadReceived`'s sealed `personal` is replaced by the opened personal data, or by
/// `null` with `"erased": true` once the lead was erased.
struct EventPrinter {
    let log: EventLog

    func line(_ event: RecordedEvent) throws -> String {
        var data = try jsonObject(event.data)
        if event.type == EventType.leadReceived.rawValue, case .leadReceived(let lead) = try event.decode(strict: false) {
            switch try log.personalData(of: lead) {
            case .available(let personal):
                data["personal"] = try jsonObject(EventJSON.encode(personal))
            case .erased:
                data["personal"] = NSNull()
                data["erased"] = true
            }
        }
        let row: [String: Any] = [
            "seq": event.seq, "stream": event.stream, "version": event.version, "type": event.type,
            "schema_version": event.schemaVersion, "recorded_at": event.recordedAt.iso8601, "prev_hash": event.prevHash,
            "hash": event.hash, "data": data,
        ]
        let bytes = try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: bytes, as: UTF8.self)
    }

    private func jsonObject(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ExitStatus.runtime("event body is not a JSON object")
        }
        return object
    }
}

/// Writes text to standard output without buffering surprises between commands.
func writeOut(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

func writeError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
