import HummingbirdCore
import LedgerCore
import Logging
import NIOCore

/// `serve`'s HTTP/1.1 connections: Hummingbird's `HTTP1Channel` behind the front door. Each accepted connection is
/// first admitted (`ConnectionAdmission`) or refused at once with a 503; an admitted one gets a `ConnectionWatch` at
/// the head of its pipeline and the watch's `MessageWatch` after the codec, so every phase of every request has a
/// deadline. Header size and count are bounded by the codec itself (400 and close when over).
struct FrontDoorChannel: ServerChildChannel {
    /// What `setup` made of an accepted connection.
    enum Connection: ServerChildChannelValue {
        case admitted(HTTP1Channel.Value)
        /// Answered 503 and closed by `RefuseConnection`; nothing to handle.
        case refused(any Channel)

        var channel: any Channel {
            switch self {
            case .admitted(let value): value.channel
            case .refused(let channel): channel
            }
        }
    }

    let responder: HTTPChannelHandler.Responder
    let http: HTTP1Channel.Configuration
    let deadlines: ConnectionDeadlines.Limits
    let admission: ConnectionAdmission
    let metrics: ServerMetrics

    init(
        responder: @escaping HTTPChannelHandler.Responder, deadlines: ConnectionDeadlines.Limits,
        admission: ConnectionAdmission, maxHeaders: Int, maxHeaderBytes: Int, metrics: ServerMetrics
    ) {
        self.responder = responder
        self.deadlines = deadlines
        self.admission = admission
        self.metrics = metrics
        http = HTTP1Channel.Configuration(
            idleTimeout: nil,
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: maxHeaderBytes, maxHeaderListSize: maxHeaderBytes, maxHeaderFieldCount: maxHeaders))
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Connection> {
        let peer = channel.remoteAddress?.ipAddress.flatMap { NetworkAddress($0) }
        switch admission.admit(peer: peer) {
        case .failure(let refusal):
            metrics.connectionRefused(refusal.reason)
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(RefuseConnection())
                return .refused(channel)
            }
        case .success(let ticket):
            let admission = admission
            channel.closeFuture.whenComplete { _ in admission.release(ticket) }
            do {
                let metrics = metrics
                let watch = ConnectionWatch(limits: deadlines) { metrics.connectionExpired($0) }
                try channel.pipeline.syncOperations.addHandler(watch)
                let messages = NIOLoopBound(MessageWatch(watch: watch), eventLoop: channel.eventLoop)
                var configuration = http
                configuration.additionalChannelHandlers = { [messages.value] }
                return HTTP1Channel(responder: responder, configuration: configuration)
                    .setup(channel: channel, logger: logger)
                    .map { .admitted($0) }
            } catch {
                channel.close(promise: nil)
                return channel.eventLoop.makeFailedFuture(error)
            }
        }
    }

    func handle(value: Connection, logger: Logger) async {
        guard case .admitted(let connection) = value else { return }
        await HTTP1Channel(responder: responder, configuration: http).handle(value: connection, logger: logger)
    }
}

/// Answers a connection over a cap with a 503 the moment it is active, then closes it: a real browser shows an error
/// it can retry, and the descriptor is back at once.
final class RefuseConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let reply: String = {
        let body = #"{"error":"Too many connections; retry in a moment."}"#
        return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Retry-After: 1\r\nConnection: close\r\n\r\n\(body)"
    }()

    func channelActive(context: ChannelHandlerContext) {
        let buffer = context.channel.allocator.buffer(string: Self.reply)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        context.close(promise: nil)
    }

    /// Whatever the client sent is not read.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
