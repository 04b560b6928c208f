import LedgerCore
import Testing

struct EventHasherTests {
    private func hash(
        prev: String = EventHasher.genesis, seq: Int64 = 1, stream: String = "s", version: Int64 = 1,
        type: String = "LeadErased", schemaVersion: Int = 1, at: Int64 = 1_000, data: String = #"{"a":1}"#
    ) -> String {
        EventHasher.hash(
            prevHash: prev, seq: seq, stream: stream, version: version, type: type, schemaVersion: schemaVersion,
            recordedAt: Timestamp(millisecondsSinceEpoch: at), data: data)
    }

    /// The vector was computed independently with Python's hashlib from the layout in schemas/hash-chain.md:
    /// sha256(bytes(32) + b"LLEV1" + (1).to_bytes(8,"big") + (1).to_bytes(4,"big") + b"s" + (1).to_bytes(8,"big")
    ///        + (10).to_bytes(4,"big") + b"LeadErased" + (1).to_bytes(4,"big") + (1000).to_bytes(8,"big")
    ///        + (7).to_bytes(4,"big") + b'{"a":1}').hexdigest()
    @Test func hashFollowsTheDocumentedCanonicalLayout() {
        #expect(hash() == "8f765a6293555b841fb07053b8ba70565f68b91626127584fc6cf66161d5ed15")
    }

    @Test func everyFieldTakesPartInTheHash() {
        let base = hash()
        let variants = [
            hash(prev: String(repeating: "1", count: 64)), hash(seq: 2), hash(stream: "t"), hash(version: 2),
            hash(type: "LeadRequeued"), hash(schemaVersion: 2), hash(at: 1_001), hash(data: #"{"a":2}"#),
        ]
        for variant in variants { #expect(variant != base) }
        #expect(Set(variants).count == variants.count)
    }

    @Test func lengthPrefixesKeepFieldBoundariesApart() {
        // Without length prefixes, moving a character from stream to type would give the same bytes.
        #expect(hash(stream: "ab", type: "c") != hash(stream: "a", type: "bc"))
    }

    @Test func hashIsLowercaseHexOf32Bytes() {
        #expect(Hex.isDigest(hash()))
    }
}
