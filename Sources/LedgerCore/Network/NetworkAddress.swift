import Foundation

/// An IPv4 or IPv6 address as bytes, parsed with `inet_pton`: what the front door counts connections and requests by,
/// and what trusted proxy ranges are matched against. An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, what a dual-stack
/// socket reports for an IPv4 peer) is the IPv4 address, so one client never counts twice.
public struct NetworkAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6).
    public let bytes: [UInt8]

    public init?(_ text: some StringProtocol) {
        let text = String(text)
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let raw = withUnsafeBytes(of: &v6) { Array($0) }
        bytes = raw[0..<12] == Self.mappedPrefix[...] ? Array(raw[12...]) : raw
    }

    public var isIPv4: Bool { bytes.count == 4 }

    private static let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]

    /// Whom limits count: an IPv4 address itself, an IPv6 address by its /64, since one host is routinely given a
    /// whole /64 and could otherwise open a fresh address per connection.
    public var clientKey: String {
        if isIPv4 { return description }
        return Self.format(Array(bytes[0..<8]) + Array(repeating: 0, count: 8)) + "/64"
    }

    public var description: String { Self.format(bytes) }

    private static func format(_ bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil }
        guard ok else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An address range in CIDR form (`10.0.0.0/8`, `2001:db8::/32`), or one address (a full-length prefix).
public struct AddressRange: Hashable, Sendable, CustomStringConvertible {
    public let network: NetworkAddress
    public let prefixLength: Int

    /// Parses `address` or `address/prefix`; nil for anything else, or a prefix longer than the address.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = NetworkAddress(parts[0]) else { return nil }
        let bits = address.bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...bits).contains(length), parts[1].allSatisfy(\.isNumber) else { return nil }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        network = address
    }

    public func contains(_ address: NetworkAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for (mine, theirs) in zip(network.bytes, address.bytes) where remaining > 0 {
            let take = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xff << (8 - take))
            if mine & mask != theirs & mask { return false }
            remaining -= take
        }
        return true
    }

    public var description: String { "\(network)/\(prefixLength)" }
}
