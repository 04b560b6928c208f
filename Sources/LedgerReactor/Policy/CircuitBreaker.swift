import LedgerAmoCRM
import LedgerCore

/// Stops sending leads to a CRM that is unwell, and finds out when it is back with cheap probes instead of leads.
///
/// - closed: calls flow. `failureThreshold` consecutive failures that say the CRM is unwell (timeouts, transport
///   errors, 5xx, 429) open it. Per-lead rejections and a 401 do not: the CRM answered, and a refresh fixes a 401.
/// - open: no real request; only a probe (`GET /api/v4/account`) when `nextProbeAt` comes. Probe intervals grow
///   from `firstProbeInterval`, doubling to `maxProbeInterval`. A 403 (ban) or 402 (payment) opens the breaker at
///   once with `blockedProbeInterval`, because hammering a ban prolongs it and a payment problem needs a human.
/// - halfOpen: a probe succeeded; exactly one real request may go. Its success closes the breaker, its failure
///   reopens it with a longer probe interval.
///
/// A pure value with the time passed in: the reactor asks `permission(now:)` before every call and reports each
/// outcome with `record(_:now:)`.
public struct CircuitBreaker: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case closed
        case open(since: Timestamp, nextProbeAt: Timestamp)
        case halfOpen

        /// The stable name shown by health: `closed`, `open` or `half_open`.
        public var healthName: String {
            switch self {
            case .closed: "closed"
            case .open: "open"
            case .halfOpen: "half_open"
            }
        }
    }

    /// What the reactor may do now.
    public enum Permission: Sendable, Equatable {
        /// Send a real request (a create, a search).
        case send
        /// Send only the probe, then report it with `record(_:now:)` and `isProbe: true`.
        case probe
        /// Nothing until `until`; nil means until the call already in flight is recorded.
        case wait(until: Timestamp?)
    }

    /// What one call's outcome says about the CRM's health.
    public enum Signal: Sendable, Equatable {
        /// The CRM answered sensibly: a success, or a refusal that concerns the request (validation, 401).
        case healthy
        /// The outcome says nothing about the CRM (for example a request we could not even build).
        case neutral
        /// Timeout, transport error, 5xx, 429, or a lost reply.
        case unwell
        /// 403 or 402: every call will fail until a human acts.
        case blocked
    }

    public struct Configuration: Sendable, Equatable {
        public var failureThreshold: Int
        public var firstProbeInterval: Duration
        public var maxProbeInterval: Duration
        public var blockedProbeInterval: Duration

        public init(
            failureThreshold: Int = 5, firstProbeInterval: Duration = .seconds(15), maxProbeInterval: Duration = .seconds(300),
            blockedProbeInterval: Duration = .seconds(900)
        ) {
            precondition(failureThreshold >= 1, "the breaker needs at least one failure to open")
            precondition(firstProbeInterval > .zero && maxProbeInterval >= firstProbeInterval, "probe intervals out of order")
            self.failureThreshold = failureThreshold
            self.firstProbeInterval = firstProbeInterval
            self.maxProbeInterval = maxProbeInterval
            self.blockedProbeInterval = blockedProbeInterval
        }
    }

    public let configuration: Configuration
    public private(set) var state: State = .closed
    public private(set) var consecutiveFailures = 0
    private var probeInterval: Duration
    /// A probe (while open) or the one trial request (while half-open) has been allowed and not yet recorded.
    private var callInFlight = false

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        probeInterval = configuration.firstProbeInterval
    }

    public mutating func permission(now: Timestamp) -> Permission {
        switch state {
        case .closed:
            return .send
        case .open(_, let nextProbeAt):
            guard !callInFlight else { return .wait(until: nil) }
            guard now >= nextProbeAt else { return .wait(until: nextProbeAt) }
            callInFlight = true
            return .probe
        case .halfOpen:
            guard !callInFlight else { return .wait(until: nil) }
            callInFlight = true
            return .send
        }
    }

    /// Reports the outcome of a call. `isProbe` marks the probe's own outcome; outcomes of real requests that were
    /// already in flight when the breaker opened are ignored unless they report a block.
    public mutating func record(_ signal: Signal, isProbe: Bool = false, now: Timestamp) {
        switch state {
        case .closed:
            recordClosed(signal, now: now)
        case .open:
            if isProbe {
                callInFlight = false
                switch signal {
                case .healthy: state = .halfOpen
                case .neutral: reopen(now: now, interval: probeInterval)
                case .unwell: reopen(now: now, interval: min(probeInterval * 2, configuration.maxProbeInterval))
                case .blocked: reopen(now: now, interval: configuration.blockedProbeInterval)
                }
            } else if signal == .blocked {
                reopen(now: now, interval: configuration.blockedProbeInterval)
            }
        case .halfOpen:
            if isProbe { return }
            callInFlight = false
            switch signal {
            case .healthy: close()
            case .neutral: break
            case .unwell: reopen(now: now, interval: min(probeInterval * 2, configuration.maxProbeInterval))
            case .blocked: reopen(now: now, interval: configuration.blockedProbeInterval)
            }
        }
    }

    private mutating func recordClosed(_ signal: Signal, now: Timestamp) {
        switch signal {
        case .healthy:
            consecutiveFailures = 0
        case .neutral:
            break
        case .unwell:
            consecutiveFailures += 1
            if consecutiveFailures >= configuration.failureThreshold {
                reopen(now: now, interval: configuration.firstProbeInterval)
            }
        case .blocked:
            consecutiveFailures += 1
            reopen(now: now, interval: configuration.blockedProbeInterval)
        }
    }

    private mutating func reopen(now: Timestamp, interval: Duration) {
        let since: Timestamp
        if case .open(let openedAt, _) = state { since = openedAt } else { since = now }
        probeInterval = interval
        callInFlight = false
        state = .open(since: since, nextProbeAt: now.adding(milliseconds: (interval).milliseconds))
    }

    private mutating func close() {
        state = .closed
        consecutiveFailures = 0
        callInFlight = false
        probeInterval = configuration.firstProbeInterval
    }
}
