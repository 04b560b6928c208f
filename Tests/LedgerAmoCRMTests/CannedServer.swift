import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A one-behaviour HTTP server on 127.0.0.1 and a port of the kernel's choosing: reads one whole request, then
/// answers with raw bytes, hangs up, or stays silent. Enough to drive the client through every transport outcome.
final class CannedServer: Sendable {
    enum Behaviour: Sendable {
        case reply(String)
        case hangUpAfterRequest
        case stayQuiet
    }

    let port: Int
    private let channel: any Channel
    private let requests = Mutex<[String]>([])

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
    }

    static func start(_ behaviour: Behaviour) async throws -> CannedServer {
        let log = RequestLog()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(CannedHandler(behaviour: behaviour, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        let server = CannedServer(port: port, channel: channel)
        log.server.withLock { $0 = server }
        return server
    }

    /// The raw requests received so far (head and body as text).
    var received: [String] { requests.withLock { $0 } }

    fileprivate func record(_ request: String) { requests.withLock { $0.append(request) } }

    func stop() async throws { try await channel.close() }
}

/// Lets handlers reach the server they belong to, which exists only after `bind`.
private final class RequestLog: Sendable {
    let server = Mutex<CannedServer?>(nil)
}

private final class CannedHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let behaviour: CannedServer.Behaviour
    let log: RequestLog
    var buffer: [UInt8] = []
    var answered = false

    init(behaviour: CannedServer.Behaviour, log: RequestLog) {
        self.behaviour = behaviour
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        buffer.append(contentsOf: unwrapInboundIn(data).readableBytesView)
        guard !answered, let request = completeRequest() else { return }
        answered = true
        log.server.withLock { $0?.record(request) }
        switch behaviour {
        case .reply(let raw):
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: raw)), promise: nil)
            context.close(promise: nil)
        case .hangUpAfterRequest:
            context.close(promise: nil)
        case .stayQuiet:
            break
        }
    }

    /// The request text once the head and a `Content-Length` body have fully arrived.
    private func completeRequest() -> String? {
        let text = String(decoding: buffer, as: UTF8.self)
        guard let headEnd = text.range(of: "\r\n\r\n") else { return nil }
        let head = text[..<headEnd.lowerBound].lowercased()
        let length =
            head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        let bodyBytes = text[headEnd.upperBound...].utf8.count
        return bodyBytes >= length ? text : nil
    }
}
