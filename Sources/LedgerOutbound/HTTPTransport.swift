/// Sends one request and says what happened, never throwing: for the reactor and the alerter a refusal, a timeout
/// or a reset is an outcome to record, not an exception to propagate.
///
/// The one seam between our service clients (AmoCRM, Telegram) and the network. Production uses `ClientTransport`;
/// tests pass canned exchanges, so retry, reconciliation and alert logic run without a server and without waiting.
public protocol HTTPTransport: Sendable {
    func send(_ request: OutboundRequest) async -> HTTPExchange
    /// Releases connections and threads, if this transport owns any. Call once, when done.
    func shutdown() async
}
