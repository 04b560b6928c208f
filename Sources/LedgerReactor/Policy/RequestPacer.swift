import LedgerAmoCRM
import LedgerCore

/// Paces every AmoCRM call of the process (creates, searches, probes, notes, token refreshes) under the account's
/// rate limit, and slows down after a 429.
///
/// AmoCRM allows 7 requests a second; a 429 is the warning, a 403 ban follows repeated excess. A classic token bucket
/// with a burst of 7 lets up to 13 calls through in one second (a full bucket plus the refill), so this is a sliding
/// window instead: a call may go when fewer than `limit` calls went out in the `window` before it. The window
/// defaults to 1.25 s rather than 1 s because AmoCRM counts arrivals, and a large request (a 50-lead create) arrives
/// later after its send than the small call sent next: with 1.1 s the backlog benchmark still saw eight arrivals in
/// one second and one 429, whose 10 s pause cost more than the margin does.
///
/// After a 429 everything pauses until `slowDown(until:)`, then resumes at half the limit, and the limit climbs back
/// by one call every `recoveryStep`: coming back at full speed is what turns a 429 into a ban.
///
/// A pacer that starts at `startingAt` sends nothing for one window. The process it replaces may have been killed a
/// moment ago with the whole window used, and AmoCRM counts the account's calls, not the process's: the kill storm
/// (tools/chaos/kill_storm.py) saw a 429 after nearly every reactor restart until this quiet start.
///
/// A call counts from when it actually went out, not from the slot it was given: `sent(slot:at:)` moves a late call
/// to its real time. A reactor whose threads were busy woke from its wait hundreds of milliseconds late, sent seven
/// calls in 240 ms, and the eighth, due one window after the slot of the first, reached AmoCRM 891 ms after the
/// first had (the long kill storm's 429s).
///
/// A pure value: the caller passes `now`, sleeps for what `reserve(now:)` returns, reports the send with
/// `sent(slot:at:)`, then sends. One pacer per process and per AmoCRM account (hold it in an actor or a `Mutex`).
public struct RequestPacer: Sendable, Equatable {
    public let limit: Int
    public let window: Duration
    public let recoveryStep: Duration
    /// The pause after a 429 without a usable `Retry-After`.
    public let defaultPenalty: Duration
    /// The longest pause a `Retry-After` can impose.
    public let maxPenalty: Duration

    /// Send times of the last `limit` reserved calls, oldest first.
    private var recent: [Timestamp] = []
    private var pausedUntil: Timestamp?
    /// No call before this: the end of the quiet start.
    private var quietUntil: Timestamp?

    public init(
        limit: Int = AmoCRMAPI.requestsPerSecond, window: Duration = .milliseconds(1250),
        recoveryStep: Duration = .seconds(10), defaultPenalty: Duration = .seconds(10), maxPenalty: Duration = .seconds(3600),
        startingAt: Timestamp? = nil
    ) {
        precondition(limit >= 1, "the pacer must allow at least one call per window")
        precondition(window > .zero, "the window must be positive")
        self.limit = limit
        self.window = window
        self.recoveryStep = recoveryStep
        self.defaultPenalty = defaultPenalty
        self.maxPenalty = maxPenalty
        self.quietUntil = startingAt?.adding(milliseconds: window.milliseconds)
    }

    /// Reserves the next slot: returns how long to wait from `now` before sending (zero when the call may go at
    /// once, never negative). Every reservation counts, so call it once per real call, right before it.
    public mutating func reserve(now: Timestamp) -> Duration {
        var at = now
        if let quietUntil, quietUntil > at { at = quietUntil }
        if let pausedUntil, pausedUntil > at { at = pausedUntil }
        // First come, first served: send times never go backwards, which keeps `recent` sorted.
        if let last = recent.last, last > at { at = last }
        let allowed = effectiveLimit(at: at)
        if recent.count >= allowed {
            let gate = recent[recent.count - allowed].adding(milliseconds: (window).milliseconds)
            if gate > at { at = gate }
        }
        recent.append(at)
        if recent.count > limit { recent.removeFirst(recent.count - limit) }
        return .milliseconds(at.millisecondsSinceEpoch - now.millisecondsSinceEpoch)
    }

    /// Records that the call reserved for `slot` (the `now` of `reserve` plus the wait it returned) went out at
    /// `actual`. A call that went out late moves to its real time, so the calls after it wait one window from when
    /// it really left; an early or unknown slot changes nothing.
    public mutating func sent(slot: Timestamp, at actual: Timestamp) {
        guard actual > slot, let index = recent.lastIndex(of: slot) else { return }
        recent[index] = actual
        recent.sort()
    }

    /// Pauses every call until `until` (never shortens a pause already in force), then recovers gradually.
    public mutating func slowDown(until: Timestamp) {
        if let pausedUntil, pausedUntil >= until { return }
        pausedUntil = until
    }

    /// The reaction to a 429 received at `now`: pause for `retryAfter` (capped), or `defaultPenalty` without one.
    public mutating func rateLimited(now: Timestamp, retryAfter: Duration?) {
        let pause = min(max(retryAfter ?? defaultPenalty, defaultPenalty), maxPenalty)
        slowDown(until: now.adding(milliseconds: (pause).milliseconds))
    }

    /// The calls allowed per window at `time`: the full limit, or less while paused or recovering from a pause.
    public func effectiveLimit(at time: Timestamp) -> Int {
        guard let pausedUntil else { return limit }
        guard time >= pausedUntil else { return 0 }
        let reduced = max(1, limit / 2)
        let step = max(1, (recoveryStep).milliseconds)
        let steps = (time.millisecondsSinceEpoch - pausedUntil.millisecondsSinceEpoch) / step
        return Int(min(Int64(limit), Int64(reduced) + steps))
    }
}
