import LedgerCore
import LedgerOutbound
import Synchronization

/// A transport that answers from a script instead of the network: the reactor's and the alerter's logic run against
/// replies a test chooses (a lost reply, an opaque 400, a 429, a revoked bot), with no server and, with a
/// `ManualClock`, no real waiting.
///
/// The script is a function of the request and how many requests came before it, so a test states "the first create
/// is lost, the list then finds it" directly. Every request is kept, in order, for the test to inspect; each call
/// moves the clock by `latency`, as a real exchange would take time.
public final class CannedTransport: HTTPTransport {
    public typealias Script = @Sendable (_ request: OutboundRequest, _ index: Int) -> HTTPExchange

    /// One request and, with a clock, when it started and when its answer came back.
    public struct Call: Sendable {
        public var request: OutboundRequest
        public var startedAt: Timestamp?
        public var endedAt: Timestamp?
    }

    private let script: Mutex<Script>
    private let sent = Mutex<[Call]>([])
    private let clock: ManualClock?
    private let latency: Duration

    /// - Parameters:
    ///   - clock: moved by `latency` on every call, when given.
    ///   - script: the exchange for each request; `index` counts every request before this one.
    public init(clock: ManualClock? = nil, latency: Duration = .milliseconds(20), script: @escaping Script) {
        self.script = Mutex(script)
        self.clock = clock
        self.latency = latency
    }

    /// Replaces the script from the next request on: the remote service changes its mind (the fault clears).
    public func answer(with script: @escaping Script) {
        self.script.withLock { $0 = script }
    }

    public func send(_ request: OutboundRequest) async -> HTTPExchange {
        let index = sent.withLock { sent in
            sent.append(Call(request: request, startedAt: clock?.now()))
            return sent.count - 1
        }
        let answer = script.withLock { $0 }
        await clock?.sleep(for: latency)
        let exchange = answer(request, index)
        let ended = clock?.now()
        sent.withLock { $0[index].endedAt = ended }
        return exchange
    }

    public func shutdown() async {}

    /// Every call so far, oldest first.
    public var calls: [Call] { sent.withLock { $0 } }

    /// Every request so far, oldest first.
    public var requests: [OutboundRequest] { calls.map(\.request) }

    /// The requests whose path starts with `prefix` (such as `/api/v4/leads/complex`).
    public func requests(to prefix: String) -> [OutboundRequest] {
        requests.filter { $0.path.hasPrefix(prefix) }
    }
}

extension HTTPExchange {
    /// A JSON reply with `status`, stamped now by `clock`.
    public static func json(_ status: Int, _ body: String, at clock: any LedgerClock) -> HTTPExchange {
        .response(HTTPReply(status: status, text: body, contentType: "application/hal+json", receivedAt: clock.now()))
    }

    /// The request went out and no reply came: the outcome is unknown.
    public static let lostReply = HTTPExchange.transportFailure(TransportFailure(.readTimeout, detail: "deadlineExceeded"))

    /// The connection was refused: nothing went out.
    public static let refused = HTTPExchange.transportFailure(TransportFailure(.connectFailed, detail: "connectionRefused"))
}
