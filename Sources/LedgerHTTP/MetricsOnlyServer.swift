import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// `react`'s own `GET /metrics`: the facts only the reactor has (sync outcomes, AmoCRM latency by operation, the
/// circuit breaker, alerts raised and delivered) on `LEADLEDGER_REACT_METRICS_PORT`, scraped as a second job beside
/// `serve`'s. Nothing else is served on it.
public enum MetricsOnlyServer {
    public static func make(
        host: String, port: Int, registry: PrometheusCollectorRegistry, logger: Logger,
        onListening: @escaping @Sendable (Int) -> Void
    ) -> some Service {
        let router = Router()
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "leadledger-react"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}
