import LedgerCore

/// When the bot may send again: after a flood-control pause (bot-wide: while it lasts Telegram refuses every call of
/// the bot), at most one message per `minimumIntervalPerChat` and `maxMessagesPerMinute` per minute. Pure value.
struct SendPacing: Sendable {
    private var pausedUntil: Timestamp?
    /// The last `maxMessagesPerMinute` sends, oldest first; bounded by the policy.
    private var recentSends: [Timestamp] = []

    func nextSendAllowed(at now: Timestamp, policy: AlertThrottlePolicy) -> Timestamp {
        var earliest = now
        if let pausedUntil { earliest = max(earliest, pausedUntil) }
        if let last = recentSends.last {
            earliest = max(earliest, last.adding(milliseconds: policy.minimumIntervalPerChat.milliseconds))
        }
        if recentSends.count >= policy.maxMessagesPerMinute {
            let windowStart = recentSends[recentSends.count - policy.maxMessagesPerMinute]
            earliest = max(earliest, windowStart.adding(seconds: 60))
        }
        return earliest
    }

    mutating func recordSend(at now: Timestamp, policy: AlertThrottlePolicy) {
        recentSends.append(now)
        if recentSends.count > policy.maxMessagesPerMinute {
            recentSends.removeFirst(recentSends.count - policy.maxMessagesPerMinute)
        }
    }

    mutating func pause(until instant: Timestamp) {
        pausedUntil = max(pausedUntil ?? instant, instant)
    }
}
