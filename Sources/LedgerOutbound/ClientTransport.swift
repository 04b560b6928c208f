import AsyncHTTPClient
import LedgerCore
import Logging
import NIOCore
import NIOHTTP1

/// The production transport: AsyncHTTPClient with every exchange bounded.
///
/// A connect timeout, a deadline for the whole exchange (`OutboundRequest.timeout`), a reply body limit, no
/// redirects (a POST is never silently re-sent somewhere else), no decompression (a small body cannot become a huge
/// one). A cancelled task cancels its request. Retrying, pacing and circuit breaking are the callers' policy.
public final class ClientTransport: HTTPTransport {
    private let httpClient: HTTPClient
    private let maxReplyBodyBytes: Int
    private let clock: any LedgerClock
    private let requestLogger: Logger?

    /// - Parameters:
    ///   - maxReplyBodyBytes: bodies larger than this are not read; the reply comes back empty, marked.
    ///   - requestLogger: handed to AsyncHTTPClient for its own request logs; nil when the URL carries a secret.
    public init(
        connectTimeout: Duration, maxReplyBodyBytes: Int, clock: any LedgerClock = SystemClock(),
        requestLogger: Logger? = nil
    ) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: connectTimeout.timeAmount),
            decompression: .disabled)
        configuration.connectionPool = .init(idleTimeout: .seconds(60))
        httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.maxReplyBodyBytes = maxReplyBodyBytes
        self.clock = clock
        self.requestLogger = requestLogger
    }

    public func shutdown() async {
        try? await httpClient.shutdown()
    }

    public func send(_ request: OutboundRequest) async -> HTTPExchange {
        var headers = HTTPHeaders()
        for header in request.headers { headers.add(name: header.name, value: header.value) }
        let clientRequest: HTTPClient.Request
        do {
            clientRequest = try HTTPClient.Request(
                url: request.url, method: HTTPMethod(rawValue: request.method.rawValue), headers: headers,
                body: request.body.map { .bytes($0) })
        } catch {
            // The error quotes the URL, which may hold a token: only its kind is kept.
            return .transportFailure(TransportFailure(.connectFailed, detail: "invalid request URL"))
        }
        let recorder = ReplyRecorder(maxBodyBytes: maxReplyBodyBytes, clock: clock)
        let deadline = NIODeadline.now() + request.timeout.timeAmount
        let task =
            if let requestLogger {
                httpClient.execute(request: clientRequest, delegate: recorder, deadline: deadline, logger: requestLogger)
            } else {
                httpClient.execute(request: clientRequest, delegate: recorder, deadline: deadline)
            }
        do {
            let reply = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
            return .response(reply)
        } catch {
            if recorder.failedOnBodyLimit(error), let reply = recorder.reply() { return .response(reply) }
            return .transportFailure(TransportFailure.classify(error, requestHeadSent: recorder.requestHeadSent))
        }
    }
}

extension Duration {
    /// NIO's `TimeAmount` for this duration, whole nanoseconds.
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
