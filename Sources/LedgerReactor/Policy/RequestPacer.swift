import LedgerAmoCRM
import LedgerCore

/// Paces every AmoCRM call of the process (creates, searches, probes, notes, token refreshes) under the account's
/// rate limit, and slows down after a 429.
///
/// AmoCRM allows 7 requests a second; a 429 is the warning, a 403 ban follows repeated excess. A classic token bucket
/// with a burst of 7 lets up to 13 calls through in one second (a full bucket plus the refill), so this is a sliding
/// window instead: a call may go when fewer than `limit` calls are counted in the `window` before it.
///
/// A call counts from when it ended (its reply came back, or it failed without one), not from when it was sent.
/// AmoCRM counts arrivals, and it stamps a call's arrival somewhere between our send and our receipt of its reply:
/// a 50-lead create arrives later after its send than the small call sent next, so spacing sends let eight arrivals
/// into one second. Counted from its end, call k + `limit` goes no earlier than one window after call k ended, so
/// after call k arrived: no second holds `limit` + 1 arrivals, whatever the sizes and latencies of the calls, and the
/// window is exactly one second, with no margin to guess. A call whose reply is slow holds back only the call `limit`
/// places after it. This holds for calls made one after another, as the reactor and `check-amocrm` make them; a call
/// reserved while another is still out counts that one from its send. A request still on the wire after its caller
/// gave up on it (a timeout) may arrive after its end; by then AmoCRM is unreachable or slow, and the circuit breaker
/// holds traffic back.
///
/// After a 429 everything pauses until `slowDown(until:)`, then resumes at half the limit, and the limit climbs back
/// by one call every `recoveryStep`: coming back at full speed is what turns a 429 into a ban.
///
/// A pacer that starts at `startingAt` sends nothing for one window. The process it replaces may have been killed a
/// moment ago with the whole window used, and AmoCRM counts the account's calls, not the process's: the kill storm
/// (tools/chaos/kill_storm.py) saw a 429 after nearly every reactor restart until this quiet start. The calls of the
/// killed process ended before it died, so one window after the restart covers them as it covers this process's own;
/// only a request it still had on the wire could arrive later, and then only after a restart quicker than the rest of
/// that upload (systemd and pm2 wait a second or more).
///
/// A call that went out late counts from its real send until it ends (`sent(slot:at:)`), and a late send means a
/// late end: a reactor whose threads were busy once woke from its wait hundreds of milliseconds late and sent seven
/// calls in 240 ms, and the eighth, paced from the first one's slot, reached AmoCRM 891 ms after the first had.
///
/// A pure value: the caller passes `now`, sleeps for what `reserve(now:)` returns, reports the send with
/// `sent(slot:at:)`, makes the call, then reports its end with `finished(slot:at:)`. One pacer per process and per
/// AmoCRM account (hold it in an actor or a `Mutex`).
public struct RequestPacer: Sendable, Equatable {
    public let limit: Int
    public let window: Duration
    public let recoveryStep: Duration
    /// The pause after a 429 without a usable `Retry-After`.
    public let defaultPenalty: Duration
    /// The longest pause a `Retry-After` can impose.
    public let maxPenalty: Duration

    /// One reserved call: the slot it was given, which names it to `sent` and `finished`, and the time it counts from.
    private struct Call: Sendable, Equatable {
        let slot: Timestamp
        var counted: Timestamp
        var ended = false
    }

    /// The last `limit` reserved calls, by the time they count from, oldest first.
    private var recent: [Call] = []
    private var pausedUntil: Timestamp?
    /// No call before this: the end of the quiet start.
    private var quietUntil: Timestamp?

    public init(
        limit: Int = AmoCRMAPI.requestsPerSecond, window: Duration = .seconds(1),
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
        // First come, first served: no slot is earlier than one given before it.
        if let latest = recent.map(\.slot).max(), latest > at { at = latest }
        let allowed = effectiveLimit(at: at)
        if recent.count >= allowed {
            let gate = recent[recent.count - allowed].counted.adding(milliseconds: window.milliseconds)
            if gate > at { at = gate }
        }
        recent.append(Call(slot: at, counted: at))
        recent.sort { $0.counted < $1.counted }
        if recent.count > limit { recent.removeFirst(recent.count - limit) }
        return .milliseconds(at.millisecondsSinceEpoch - now.millisecondsSinceEpoch)
    }

    /// Records that the call reserved for `slot` (the `now` of `reserve` plus the wait it returned) went out at
    /// `actual`. A call that went out late counts from its real time until it ends; an early or unknown slot changes
    /// nothing.
    public mutating func sent(slot: Timestamp, at actual: Timestamp) {
        guard actual > slot else { return }
        move(slot: slot, to: actual, ending: false)
    }

    /// Records that the call reserved for `slot` ended at `end` (its reply came back, or it failed without one): it
    /// counts from then on. `end` is a clock reading taken after the end; the clock rounds down to the millisecond,
    /// so the call counts from the next one, never before it really ended. An unknown slot changes nothing.
    public mutating func finished(slot: Timestamp, at end: Timestamp) {
        move(slot: slot, to: end.adding(milliseconds: 1), ending: true)
    }

    /// Moves the unfinished call reserved for `slot` to `time`, never earlier. Calls that share a slot (reserved at
    /// one instant) are told apart by nothing, so the one counted earliest moves: then no call counts from before it
    /// really went out or ended, whichever of them reports.
    private mutating func move(slot: Timestamp, to time: Timestamp, ending: Bool) {
        let candidates = recent.indices.filter { recent[$0].slot == slot && !recent[$0].ended }
        guard let index = candidates.min(by: { recent[$0].counted < recent[$1].counted }) else { return }
        recent[index].counted = max(recent[index].counted, time)
        if ending { recent[index].ended = true }
        recent.sort { $0.counted < $1.counted }
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
