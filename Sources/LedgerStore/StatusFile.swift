import Foundation

/// A small JSON file beside the log through which a running process tells the others live facts the log does not
/// hold (`ReactorHeartbeat`, `ServeStatus`). Replaced atomically (write, then rename), so a reader never sees half
/// of it; not fsynced, since a live fact is worthless after a crash.
enum StatusFile {
    static func write(_ value: some Encodable, to path: String) throws {
        let temporary = path + ".tmp"
        try JSONEncoder().encode(value).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// The value, or nil when the file is missing or unreadable.
    static func read<Value: Decodable>(_ type: Value.Type, from path: String) -> Value? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }
}
