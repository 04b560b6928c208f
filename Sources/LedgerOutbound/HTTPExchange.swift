/// What one outbound HTTP exchange produced, before any interpretation: a reply, or a transport failure that says
/// whether the request can have reached the server.
///
/// A transport produces it; the pure classifiers of each service (AmoCRM's `ComplexCreateReply`, Telegram's
/// `TelegramReply`) read it. Tests build it by hand, which is why classification needs no server.
public enum HTTPExchange: Sendable, Equatable {
    case response(HTTPReply)
    case transportFailure(TransportFailure)
}
