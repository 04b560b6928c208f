import Hummingbird
import NIOCore

/// The request context of `serve`: Hummingbird's core storage plus the peer address, which the per-client rate
/// limit keys on.
struct LedgerRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
