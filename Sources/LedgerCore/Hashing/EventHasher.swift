import Crypto

/// The hash chain: `hash = SHA-256(prev_hash_bytes ‖ canonical(event))`. The byte layout is specified in
/// `schemas/hash-chain.md`; changing it would invalidate every log ever written, so it is versioned by its magic.
public enum EventHasher {
    /// The `prev_hash` of the first event.
    public static let genesis = String(repeating: "0", count: 64)

    /// Identifies layout version 1 of the canonical encoding.
    static let magic: [UInt8] = Array("LLEV1".utf8)

    public static func hash(
        prevHash: String, seq: Int64, stream: String, version: Int64, type: String, schemaVersion: Int,
        recordedAt: Timestamp, data: String
    ) -> String {
        var hasher = SHA256()
        // An unparsable prev_hash still hashes deterministically (its UTF-8), so verify reports a mismatch rather than crash.
        hasher.update(data: Hex.decode(prevHash) ?? Array(prevHash.utf8))
        hasher.update(
            data: canonicalBytes(
                seq: seq, stream: stream, version: version, type: type, schemaVersion: schemaVersion,
                recordedAt: recordedAt, data: data
            ))
        return Hex.encode(hasher.finalize())
    }

    /// magic ‖ u64 seq ‖ str stream ‖ u64 version ‖ str type ‖ u32 schema_version ‖ i64 recorded_at ‖ str data,
    /// where integers are big-endian and `str` is a u32 big-endian byte count followed by the UTF-8 bytes.
    public static func canonicalBytes(
        seq: Int64, stream: String, version: Int64, type: String, schemaVersion: Int, recordedAt: Timestamp,
        data: String
    ) -> [UInt8] {
        var bytes = magic
        bytes.reserveCapacity(64 + stream.utf8.count + type.utf8.count + data.utf8.count)
        append(UInt64(bitPattern: seq), to: &bytes)
        append(stream, to: &bytes)
        append(UInt64(bitPattern: version), to: &bytes)
        append(type, to: &bytes)
        append(UInt32(truncatingIfNeeded: schemaVersion), to: &bytes)
        append(UInt64(bitPattern: recordedAt.millisecondsSinceEpoch), to: &bytes)
        append(data, to: &bytes)
        return bytes
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    private static func append(_ text: String, to bytes: inout [UInt8]) {
        append(UInt32(truncatingIfNeeded: text.utf8.count), to: &bytes)
        bytes.append(contentsOf: text.utf8)
    }
}
