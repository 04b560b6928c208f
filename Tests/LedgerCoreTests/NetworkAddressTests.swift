import LedgerCore
import Testing

struct NetworkAddressTests {
    @Test func ipv4AndIPv6AreParsedAndAMappedIPv4IsTheIPv4Address() throws {
        #expect(try #require(NetworkAddress("203.0.113.7")).bytes == [203, 0, 113, 7])
        #expect(try #require(NetworkAddress("2001:db8::1")).bytes.count == 16)
        #expect(NetworkAddress("::ffff:203.0.113.7") == NetworkAddress("203.0.113.7"))
        for bad in ["", "203.0.113", "203.0.113.256", "localhost", "2001:db8::g", " 1.2.3.4", "1.2.3.4/32"] {
            #expect(NetworkAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func anIPv4ClientIsItsAddressAnIPv6ClientIsItsSlash64() throws {
        #expect(try #require(NetworkAddress("198.51.100.20")).clientKey == "198.51.100.20")
        let one = try #require(NetworkAddress("2001:db8:1:2:aaaa::1"))
        let sameHost = try #require(NetworkAddress("2001:db8:1:2:bbbb::9"))
        let otherHost = try #require(NetworkAddress("2001:db8:1:3::1"))
        #expect(one.clientKey == "2001:db8:1:2::/64")
        #expect(one.clientKey == sameHost.clientKey)
        #expect(one.clientKey != otherHost.clientKey)
    }

    @Test func aRangeContainsExactlyTheAddressesUnderItsPrefix() throws {
        let ten = try #require(AddressRange("10.0.0.0/8"))
        #expect(ten.contains(try #require(NetworkAddress("10.255.1.2"))))
        #expect(!ten.contains(try #require(NetworkAddress("11.0.0.0"))))
        let odd = try #require(AddressRange("192.168.1.128/25"))
        #expect(odd.contains(try #require(NetworkAddress("192.168.1.128"))))
        #expect(odd.contains(try #require(NetworkAddress("192.168.1.255"))))
        #expect(!odd.contains(try #require(NetworkAddress("192.168.1.127"))))
        let one = try #require(AddressRange("127.0.0.1"))
        #expect(one.prefixLength == 32)
        #expect(one.contains(try #require(NetworkAddress("127.0.0.1"))))
        #expect(!one.contains(try #require(NetworkAddress("127.0.0.2"))))
        let six = try #require(AddressRange("2001:db8::/32"))
        #expect(six.contains(try #require(NetworkAddress("2001:db8:ffff::1"))))
        #expect(!six.contains(try #require(NetworkAddress("2001:db9::1"))))
        #expect(!six.contains(try #require(NetworkAddress("10.0.0.1"))), "an IPv4 address is in no IPv6 range")
        #expect(try #require(AddressRange("0.0.0.0/0")).contains(try #require(NetworkAddress("8.8.8.8"))))
        for bad in ["10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "/8", "10.0.0.0/+8"] {
            #expect(AddressRange(bad) == nil, "\(bad)")
        }
    }
}
