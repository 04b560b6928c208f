import Foundation
import LedgerCore

/// Whom a request comes from, for the per-client rate limit. The peer, unless the peer is a configured trusted proxy
/// (`LEADLEDGER_TRUSTED_PROXIES`): then `X-Forwarded-For` is read from the right, each trusted hop skipped, and the
/// first address no trusted proxy vouches for is the client. Entries left of it are whatever the client wrote and
/// are never believed; an entry that is not an address stops the walk at the last hop that was trusted. Without
/// trusted proxies the header is ignored, so no client can choose its own bucket.
enum ClientAddress {
    static func key(peer: NetworkAddress?, forwardedFor: [String], trusted: [AddressRange]) -> String {
        guard let peer else { return "unknown" }
        guard isTrusted(peer, trusted) else { return peer.clientKey }
        var last = peer
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard let address = parse(hop) else { return last.clientKey }
            guard isTrusted(address, trusted) else { return address.clientKey }
            last = address
        }
        return last.clientKey
    }

    private static func isTrusted(_ address: NetworkAddress, _ trusted: [AddressRange]) -> Bool {
        trusted.contains { $0.contains(address) }
    }

    /// An address as proxies write it: bare, or IPv6 in brackets (`[2001:db8::1]`).
    private static func parse(_ text: String) -> NetworkAddress? {
        if text.hasPrefix("["), text.hasSuffix("]") { return NetworkAddress(text.dropFirst().dropLast()) }
        return NetworkAddress(text)
    }
}
