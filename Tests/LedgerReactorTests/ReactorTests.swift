import LedgerReactor
import Testing

@Suite struct ReactorTests {
    @Test func batchesNeverExceedTheComplexRequestLimit() {
        #expect(Reactor.maxBatch <= 50)
    }
}
