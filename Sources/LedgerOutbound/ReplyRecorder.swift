import AsyncHTTPClient
import LedgerCore
import NIOCore
import NIOHTTP1
import Synchronization

/// The delegate of one request: records whether the request head went out, and collects the reply with a byte limit,
/// so a huge or endless body from a broken proxy costs at most `maxBodyBytes` of memory.
///
/// AsyncHTTPClient's plain API reports a deadline the same way whether the request was still waiting for a
/// connection or already sent. Only the delegate sees `didSendRequestHead`, and that is the line between "not sent"
/// (safe to resend) and "unknown outcome". A request with a body writes it only after the head, so the server cannot
/// have processed a request whose head was never reported sent.
final class ReplyRecorder: HTTPClientResponseDelegate {
    typealias Response = HTTPReply

    struct State {
        var requestHeadSent = false
        var head: HTTPResponseHead?
        var body: [UInt8] = []
        var bodyExceededLimit = false
    }

    /// Thrown into the task when the body passes the limit, which stops reading it.
    struct BodyTooLarge: Error {}

    private let state = Mutex(State())
    private let maxBodyBytes: Int
    private let clock: any LedgerClock

    init(maxBodyBytes: Int, clock: any LedgerClock) {
        self.maxBodyBytes = maxBodyBytes
        self.clock = clock
    }

    var requestHeadSent: Bool { state.withLock { $0.requestHeadSent } }

    func didSendRequestHead(task: HTTPClient.Task<HTTPReply>, _ head: HTTPRequestHead) {
        state.withLock { $0.requestHeadSent = true }
    }

    func didReceiveHead(task: HTTPClient.Task<HTTPReply>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLock { $0.head = head }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<HTTPReply>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let limit = maxBodyBytes
        let exceeded = state.withLock { state -> Bool in
            guard state.body.count + buffer.readableBytes <= limit else {
                state.body = []
                state.bodyExceededLimit = true
                return true
            }
            state.body.append(contentsOf: buffer.readableBytesView)
            return false
        }
        return exceeded ? task.eventLoop.makeFailedFuture(BodyTooLarge()) : task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<HTTPReply>) throws -> HTTPReply {
        guard let reply = reply() else { throw HTTPClientError.remoteConnectionClosed }
        return reply
    }

    /// The reply received so far, if its head arrived. After `BodyTooLarge` this is the reply with an empty body.
    func reply() -> HTTPReply? {
        let now = clock.now()
        return state.withLock { state -> HTTPReply? in
            guard let head = state.head else { return nil }
            return HTTPReply(
                status: Int(head.status.code), body: state.body, contentType: head.headers.first(name: "content-type"),
                retryAfter: head.headers.first(name: "retry-after"), requestID: head.headers.first(name: "x-request-id"),
                date: head.headers.first(name: "date"), bodyExceededLimit: state.bodyExceededLimit, receivedAt: now)
        }
    }

    /// True when the task failed because the body passed the limit (the reply head is then complete).
    func failedOnBodyLimit(_ error: any Error) -> Bool {
        error is BodyTooLarge && state.withLock { $0.bodyExceededLimit }
    }
}
