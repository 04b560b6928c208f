/// Upper bounds on the text fields of stored events, in UTF-8 bytes. Ingest enforces its own (smaller or equal)
/// limits on input; these are the log's last line of defence, checked on append and on `verify`.
public enum FieldLimits {
    /// Ids, kinds, attempt ids.
    public static let identifier = 128
    /// Form ids, UTM values, dedupe keys, subjects.
    public static let shortText = 512
    /// Idempotency keys (the IETF draft suggests clients use UUIDs; we allow room for other schemes).
    public static let idempotencyKey = 255
    /// Error messages and alert texts.
    public static let message = 4096
    /// The sealed personal payload, base64.
    public static let sealedPersonalData = 64 * 1024
}

/// Lowercase hex helpers for digests.
public enum Hex {
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    /// True for a 64-digit lowercase hex string (a SHA-256 digest).
    public static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The value of one ASCII hex digit (either case), or nil.
    public static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case 0x30...0x39: char - 0x30
        case 0x61...0x66: char - 0x61 + 10
        case 0x41...0x46: char - 0x41 + 10
        default: nil
        }
    }
}
