import LedgerAmoCRM
import LedgerCore

enum PolicyFixture {
    /// 2026-01-01T00:00:00Z.
    static let now = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
