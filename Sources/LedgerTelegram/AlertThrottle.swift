import LedgerCore

/// Decides, per alert `dedupe_key`, whether an occurrence is worth a message now, and paces what is sent.
///
/// A pure value: the time is passed in, nothing is read or written, so every rule is tested with a hand-moved clock
/// and the reactor only carries out decisions. The rules:
/// - the first occurrence of a condition is always sent;
/// - a repeat of a still-open condition is sent only when its occurrence count has reached the next milestone after
///   the last one sent (1st, 3rd, 10th, 30th, 100th, then every 100th) *and* `repeatWindow` has passed since the
///   last message for that key. A milestone held back by the window is sent with the first occurrence after it;
/// - a resolution is sent once, for a key whose raise was sent; the key is then forgotten, so the same condition
///   coming back is news again;
/// - more than `digestThreshold` messages due at once become one digest (`plan`);
/// - nothing goes out before `nextSendAllowed(at:)`: the bot-wide pause after flood control, one message per second
///   and 20 per minute per chat (LeadLedger alerts go to one chat).
public struct AlertThrottle: Sendable {
    public enum Decision: Sendable, Equatable {
        /// Send a message now; `occurrences` is the count so far (show it when more than 1).
        case send(occurrences: Int)
        /// Record the occurrence, send nothing.
        case suppress(occurrences: Int)
    }

    public let policy: AlertThrottlePolicy
    private var conditions: [String: Condition] = [:]
    private var pacing = SendPacing()

    private struct Condition {
        var occurrences: Int
        var sentOccurrences: Int
        var lastSentAt: Timestamp
        var lastSeenAt: Timestamp
    }

    public init(policy: AlertThrottlePolicy = AlertThrottlePolicy()) {
        self.policy = policy
    }

    /// Conditions currently open and remembered.
    public var openConditionCount: Int { conditions.count }

    /// An occurrence of the condition `dedupeKey` at `now`.
    public mutating func raised(dedupeKey: String, at now: Timestamp) -> Decision {
        guard var condition = conditions[dedupeKey] else {
            forgetOldestIfFull()
            conditions[dedupeKey] = Condition(occurrences: 1, sentOccurrences: 1, lastSentAt: now, lastSeenAt: now)
            return .send(occurrences: 1)
        }
        condition.occurrences += 1
        condition.lastSeenAt = now
        let milestoneReached = condition.occurrences >= policy.nextMilestone(after: condition.sentOccurrences)
        let windowPassed =
            now.millisecondsSinceEpoch - condition.lastSentAt.millisecondsSinceEpoch >= policy.repeatWindow.milliseconds
        let decision: Decision
        if milestoneReached && windowPassed {
            condition.sentOccurrences = condition.occurrences
            condition.lastSentAt = now
            decision = .send(occurrences: condition.occurrences)
        } else {
            decision = .suppress(occurrences: condition.occurrences)
        }
        conditions[dedupeKey] = condition
        return decision
    }

    /// The condition `dedupeKey` has ended. Sent once when its raise was sent; a second resolution, or one for a
    /// key never raised (or forgotten), is suppressed.
    public mutating func resolved(dedupeKey: String, at now: Timestamp) -> Decision {
        guard let condition = conditions.removeValue(forKey: dedupeKey) else { return .suppress(occurrences: 0) }
        return .send(occurrences: condition.occurrences)
    }

    /// Individually, or as one digest when more than `digestThreshold` are due at once.
    public func plan<Item>(_ due: [Item]) -> AlertBatch<Item> {
        due.count > policy.digestThreshold ? .digest(due) : .individually(due)
    }

    /// The earliest instant the next message may go out: `now` or later.
    public func nextSendAllowed(at now: Timestamp) -> Timestamp {
        pacing.nextSendAllowed(at: now, policy: policy)
    }

    /// A message went out at `now` (whatever its outcome but flood control: Telegram counts attempts).
    public mutating func recordSend(at now: Timestamp) {
        pacing.recordSend(at: now, policy: policy)
    }

    /// A 429: nothing goes out before `now + retryAfter`, exactly as Telegram asked.
    public mutating func recordFloodControl(retryAfter: Duration, at now: Timestamp) {
        pacing.pause(until: now.adding(milliseconds: retryAfter.milliseconds))
    }

    private mutating func forgetOldestIfFull() {
        guard conditions.count >= policy.maxTrackedKeys,
            let oldest = conditions.min(by: { $0.value.lastSeenAt < $1.value.lastSeenAt })?.key
        else { return }
        conditions.removeValue(forKey: oldest)
    }
}

/// How due messages go out: one by one, or folded into one digest message (`AlertText.digest`).
public enum AlertBatch<Item> {
    case individually([Item])
    case digest([Item])
}

extension AlertBatch: Sendable where Item: Sendable {}
extension AlertBatch: Equatable where Item: Equatable {}
