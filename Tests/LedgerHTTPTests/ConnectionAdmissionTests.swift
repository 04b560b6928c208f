import LedgerCore
import Testing

@testable import LedgerHTTP

struct ConnectionAdmissionTests {
    private func address(_ text: String) throws -> NetworkAddress { try #require(NetworkAddress(text)) }

    @Test func aClientGetsItsCapOfConnectionsAndTheNextIsRefusedWhileOthersStillGetIn() throws {
        let admission = ConnectionAdmission(limits: .init(total: 100, perClient: 3))
        let tickets = try (0..<3).map { _ in try admission.admit(peer: address("203.0.113.1")).get() }
        #expect(throws: ConnectionAdmission.RefusalError.self) { try admission.admit(peer: address("203.0.113.1")).get() }
        #expect((try? admission.admit(peer: address("203.0.113.2")).get()) != nil)
        admission.release(tickets[0])
        #expect((try? admission.admit(peer: address("203.0.113.1")).get()) != nil, "a closed connection gives its place back")
        #expect(admission.open == 4)
    }

    @Test func theTotalCapHoldsAcrossClientsAndClosingReopensIt() throws {
        let admission = ConnectionAdmission(limits: .init(total: 2, perClient: 10))
        let first = try admission.admit(peer: address("198.51.100.1")).get()
        _ = try admission.admit(peer: address("198.51.100.2")).get()
        switch admission.admit(peer: try address("198.51.100.3")) {
        case .success: Issue.record("a third connection over a total of 2 was admitted")
        case .failure(let refusal): #expect(refusal.reason == .total)
        }
        admission.release(first)
        #expect((try? admission.admit(peer: address("198.51.100.3")).get()) != nil)
    }

    @Test func oneIPv6HostCountsAsOneClientWhateverAddressOfItsSlash64ItUses() throws {
        let admission = ConnectionAdmission(limits: .init(total: 100, perClient: 2))
        _ = try admission.admit(peer: address("2001:db8:1:2::1")).get()
        _ = try admission.admit(peer: address("2001:db8:1:2::2")).get()
        switch admission.admit(peer: try address("2001:db8:1:2:ffff::3")) {
        case .success: Issue.record("a third address of the same /64 was admitted over a cap of 2")
        case .failure(let refusal): #expect(refusal.reason == .perClient)
        }
        #expect((try? admission.admit(peer: address("2001:db8:1:3::1")).get()) != nil)
    }

    @Test func aTrustedProxyIsHeldToTheTotalOnly() throws {
        let proxy = try #require(AddressRange("10.0.0.5"))
        let admission = ConnectionAdmission(limits: .init(total: 5, perClient: 1, trustedProxies: [proxy]))
        for _ in 0..<5 { _ = try admission.admit(peer: address("10.0.0.5")).get() }
        #expect(throws: ConnectionAdmission.RefusalError.self) { try admission.admit(peer: address("10.0.0.5")).get() }
    }
}
