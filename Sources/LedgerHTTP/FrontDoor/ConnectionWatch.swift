import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Enforces `ConnectionDeadlines` on one connection: it closes the connection when a phase's deadline passes and
/// counts why. It sits first in the pipeline, where it sees raw bytes arrive (a request's first byte starts its
/// header deadline); its `MessageWatch` sits after the HTTP codec, where it sees heads, ends and responses.
///
/// One timer per connection, scheduled for the earliest deadline; a deadline that moves later leaves the timer
/// where it is, and the timer, when it fires early, looks again and re-arms. Lives on the channel's event loop.
final class ConnectionWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var deadlines: ConnectionDeadlines
    private let onExpiry: @Sendable (ConnectionDeadlines.Expiry) -> Void
    private var context: ChannelHandlerContext?
    private var timer: (deadline: NIODeadline, task: Scheduled<Void>)?

    init(limits: ConnectionDeadlines.Limits, onExpiry: @escaping @Sendable (ConnectionDeadlines.Expiry) -> Void) {
        deadlines = ConnectionDeadlines(limits: limits, openedAt: .now())
        self.onExpiry = onExpiry
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        arm()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.task.cancel()
        timer = nil
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        update { $0.bytesArrived(at: .now()) }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.task.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    fileprivate func update(_ change: (inout ConnectionDeadlines) -> Void) {
        change(&deadlines)
        arm()
    }

    /// Schedules the timer for the earliest deadline unless it already fires no later than that.
    private func arm() {
        guard let context, let next = deadlines.next else { return }
        if let timer, timer.deadline <= next { return }
        timer?.task.cancel()
        let task = context.eventLoop.assumeIsolated().scheduleTask(deadline: next) { [weak self] () -> Void in self?.fire() }
        timer = (next, task)
    }

    private func fire() {
        timer = nil
        guard let context else { return }
        if let phase = deadlines.expired(at: .now()) {
            onExpiry(phase)
            context.close(promise: nil)
        } else {
            arm()
        }
    }
}

/// The half of `ConnectionWatch` after the HTTP codec: a request's head and end, a response's start and the moment
/// its last part is written out.
final class MessageWatch: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let watch: ConnectionWatch

    init(watch: ConnectionWatch) { self.watch = watch }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: watch.update { $0.headReceived(at: .now()) }
        case .body: break
        case .end: watch.update { $0.requestEnded() }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head:
            watch.update { $0.responseStarted(at: .now()) }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            let written = promise ?? context.eventLoop.makePromise()
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            written.futureResult.whenSuccess { _ in loopBound.value.watch.update { $0.responseWritten(at: .now()) } }
            context.write(data, promise: written)
        }
    }
}
