import LedgerCore

/// The check a copied batch passes before any of it is written: it continues the target's chain (its first
/// `prev_hash` is the head's hash, its seqs follow without a gap) and every hash matches its event. Both stores'
/// `importVerbatim` make it, under their append lock.
public enum ChainContinuation {
    public static func check(_ events: [RecordedEvent], after head: ChainHead?, at location: String) throws(StoreError) {
        var expectedSeq = (head?.seq ?? 0) + 1
        var expectedPrev = head?.hash ?? EventHasher.genesis
        for event in events {
            guard event.seq == expectedSeq, event.prevHash == expectedPrev else {
                throw StoreError(
                    .versionConflict, "seq \(event.seq) does not continue this log (its head is seq \(expectedSeq - 1))",
                    path: location)
            }
            guard event.hash == event.computedHash() else {
                throw StoreError(.corrupt, "seq \(event.seq): hash does not match the event", path: location)
            }
            expectedSeq += 1
            expectedPrev = event.hash
        }
    }
}
