import LedgerCore
import Testing

@testable import LedgerHTTP

/// Whom the rate limit counts: the peer, or behind a trusted proxy the first address it does not vouch for.
struct ClientAddressTests {
    private let proxies = ["127.0.0.1", "10.0.0.0/8"].compactMap { AddressRange($0) }

    private func key(_ peer: String, _ forwarded: [String], trusted: [AddressRange]? = nil) -> String {
        ClientAddress.key(peer: NetworkAddress(peer), forwardedFor: forwarded, trusted: trusted ?? proxies)
    }

    @Test func withoutTrustedProxiesTheHeaderIsIgnored() {
        #expect(key("203.0.113.9", ["198.51.100.1"], trusted: []) == "203.0.113.9")
        #expect(key("203.0.113.9", ["198.51.100.1"]) == "203.0.113.9", "an untrusted peer cannot name another client")
    }

    @Test func behindATrustedProxyTheRightmostUntrustedHopIsTheClient() {
        #expect(key("127.0.0.1", ["198.51.100.1"]) == "198.51.100.1")
        #expect(key("127.0.0.1", ["6.6.6.6, 198.51.100.1, 10.1.2.3"]) == "198.51.100.1", "a forged left part is ignored")
        #expect(key("127.0.0.1", ["6.6.6.6", "198.51.100.1"]) == "198.51.100.1", "several headers read as one list")
        #expect(key("127.0.0.1", ["[2001:db8:1:2::7]"]) == "2001:db8:1:2::/64")
    }

    @Test func noHeaderOrAnUnreadableHopLeavesTheLastTrustedHop() {
        #expect(key("127.0.0.1", []) == "127.0.0.1")
        #expect(key("127.0.0.1", ["198.51.100.1, garbage"]) == "127.0.0.1")
        #expect(key("127.0.0.1", ["garbage, 10.0.0.9"]) == "10.0.0.9")
        #expect(key("127.0.0.1", ["10.0.0.9, 10.0.0.8"]) == "10.0.0.9", "every hop trusted: the farthest one")
    }
}
