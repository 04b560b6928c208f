import Foundation
import LedgerCore
import Testing

struct LeadIDTests {
    @Test func newIDsAreVersion7WithTheTimeInTheFirst48Bits() {
        let time = Timestamp(millisecondsSinceEpoch: 1_795_000_123_456)
        let id = LeadID.make(at: time)
        let bytes = withUnsafeBytes(of: id.uuid.uuid) { Array($0) }
        #expect(bytes[6] >> 4 == 7)
        #expect(bytes[8] >> 6 == 0b10)
        let millis = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(millis == UInt64(time.millisecondsSinceEpoch))
    }

    @Test func idsSortByCreationTime() {
        let earlier = LeadID.make(at: Timestamp(millisecondsSinceEpoch: 1_000))
        let later = LeadID.make(at: Timestamp(millisecondsSinceEpoch: 2_000))
        #expect(earlier < later)
    }

    @Test func textFormIsLowercaseAndParsesBack() throws {
        let id = LeadID.make(at: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000))
        #expect(id.description == id.description.lowercased())
        #expect(LeadID(id.description) == id)
        #expect(LeadID(id.description.uppercased()) == id)
    }

    @Test(arguments: ["", "not-a-uuid", "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5", "{0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b}"])
    func malformedTextIsRefused(_ text: String) {
        #expect(LeadID(text) == nil)
    }
}

struct LeadIDLowerBoundTests {
    @Test func idsMintedAtOrAfterATimeSortAboveItsBoundAndEarlierOnesBelow() {
        let time = Timestamp(millisecondsSinceEpoch: 1_795_000_123_456)
        let bound = LeadID.lowerBound(at: time)
        for _ in 0..<100 {
            #expect(LeadID.make(at: time).description >= bound)
            #expect(LeadID.make(at: time.adding(milliseconds: 1)).description > bound)
            #expect(LeadID.make(at: time.adding(milliseconds: -1)).description < bound)
        }
    }
}
