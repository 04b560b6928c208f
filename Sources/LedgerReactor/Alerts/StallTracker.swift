import LedgerCore
import LedgerProjections

/// Remembers where each projector stood, to tell a projector that is merely behind (it moves) from one that is stuck
/// (events wait past its checkpoint and it has not moved since the last look).
public struct StallTracker: Sendable {
    private var since: [String: (checkpoint: Int64, at: Timestamp)] = [:]

    public init() {}

    /// Projectors stuck at `now`, with how long (seconds) they have not advanced while behind.
    public mutating func observe(_ statuses: [ProjectionStatus], now: Timestamp) -> [String: Int64] {
        var stalled: [String: Int64] = [:]
        for status in statuses {
            guard status.lag > 0 else {
                since[status.name] = nil
                continue
            }
            if let seen = since[status.name], seen.checkpoint == status.checkpoint {
                stalled[status.name] = max(0, now.millisecondsSinceEpoch - seen.at.millisecondsSinceEpoch) / 1000
            } else {
                since[status.name] = (status.checkpoint, now)
            }
        }
        return stalled
    }
}
