import Foundation

/// A lead's identity: a time-ordered UUIDv7 (RFC 9562), so ids sort by arrival and index well.
public struct LeadID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let uuid: UUID

    public init(uuid: UUID) { self.uuid = uuid }

    /// Parses the canonical lowercase or uppercase text form; nil for anything else.
    public init?(_ text: String) {
        // Hand-parsed: Foundation's UUID(uuidString:) goes through sscanf, which showed up in rebuild profiles.
        let utf8 = Array(text.utf8)
        guard utf8.count == 36 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(16)
        var index = 0
        while index < 36 {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard utf8[index] == UInt8(ascii: "-") else { return nil }
                index += 1
                continue
            }
            guard let high = Hex.nibble(utf8[index]), let low = Hex.nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        guard bytes.count == 16 else { return nil }
        uuid = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }

    /// A new UUIDv7 whose first 48 bits are `time` in milliseconds.
    public static func make(at time: Timestamp) -> LeadID {
        var generator = SystemRandomNumberGenerator()
        return make(at: time, using: &generator)
    }

    public static func make(at time: Timestamp, using generator: inout some RandomNumberGenerator) -> LeadID {
        LeadID(uuid: UUIDv7.make(at: time, using: &generator))
    }

    /// The smallest id text minted at `time`: every UUIDv7 made at or after `time` sorts at or above it, as text.
    public static func lowerBound(at time: Timestamp) -> String {
        let millis = UInt64(max(0, time.millisecondsSinceEpoch)) & 0xFFFF_FFFF_FFFF
        let hex = Hex.encode((0..<6).map { UInt8(truncatingIfNeeded: millis >> (8 * (5 - $0))) })
        let utf8 = Array(hex.utf8)
        return String(decoding: utf8[0..<8], as: UTF8.self) + "-" + String(decoding: utf8[8..<12], as: UTF8.self)
    }

    /// Lowercase text, the form stored in the log and shown to users.
    public var description: String {
        let bytes = withUnsafeBytes(of: uuid.uuid) { Array($0) }
        let hex = Hex.encode(bytes)
        let utf8 = Array(hex.utf8)
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (index, char) in utf8.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { out.append(UInt8(ascii: "-")) }
            out.append(char)
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func < (lhs: LeadID, rhs: LeadID) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = LeadID(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a UUID: \(text)")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// RFC 9562 version 7 layout: 48-bit Unix milliseconds, version nibble 7, 12 random bits, variant 0b10, 62 random bits.
public enum UUIDv7 {
    public static func make(at time: Timestamp, using generator: inout some RandomNumberGenerator) -> UUID {
        let millis = UInt64(max(0, time.millisecondsSinceEpoch)) & 0xFFFF_FFFF_FFFF
        let randomA = generator.next() as UInt64
        let randomB = generator.next() as UInt64
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - index))) }
        for index in 6..<8 { bytes[index] = UInt8(truncatingIfNeeded: randomA >> (8 * index)) }
        for index in 8..<16 { bytes[index] = UInt8(truncatingIfNeeded: randomB >> (8 * (index - 8))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let tuple = (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        )
        return UUID(uuid: tuple)
    }

    /// A random v7 id for attempts and alerts, which need uniqueness and time order but no stream of their own.
    public static func make(at time: Timestamp) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(at: time, using: &generator).uuidString.lowercased()
    }
}
