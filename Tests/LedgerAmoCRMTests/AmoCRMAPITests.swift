import LedgerAmoCRM
import Testing

@Suite struct AmoCRMAPITests {
    @Test func complexRequestsCarryAtMostFiftyLeads() {
        #expect(AmoCRMAPI.maxLeadsPerComplexRequest == 50)
    }
}
