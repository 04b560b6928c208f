import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// The delegate of one request: records whether the request head went out, and collects the reply with a byte limit,
/// so a huge or endless body from a broken proxy costs at most `maxBodyBytes` of memory.
final class TelegramReplyRecorder: HTTPClientResponseDelegate {
    typealias Response = TelegramHTTPReply

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

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    var requestHeadSent: Bool { state.withLock { $0.requestHeadSent } }

    func didSendRequestHead(task: HTTPClient.Task<TelegramHTTPReply>, _ head: HTTPRequestHead) {
        state.withLock { $0.requestHeadSent = true }
    }

    func didReceiveHead(task: HTTPClient.Task<TelegramHTTPReply>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLock { $0.head = head }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<TelegramHTTPReply>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
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

    func didFinishRequest(task: HTTPClient.Task<TelegramHTTPReply>) throws -> TelegramHTTPReply {
        guard let reply = reply() else { throw HTTPClientError.remoteConnectionClosed }
        return reply
    }

    /// The reply received so far, if its head arrived. After `BodyTooLarge` this is the reply with an empty body.
    func reply() -> TelegramHTTPReply? {
        state.withLock { state -> TelegramHTTPReply? in
            guard let head = state.head else { return nil }
            return TelegramHTTPReply(
                status: Int(head.status.code), body: state.body, bodyExceededLimit: state.bodyExceededLimit)
        }
    }

    /// True when the task failed because the body passed the limit (the reply head is then complete).
    func failedOnBodyLimit(_ error: any Error) -> Bool {
        error is BodyTooLarge && state.withLock { $0.bodyExceededLimit }
    }
}
