import AsyncHTTPClient

extension TelegramTransportFailure {
    /// Maps a client error to a transport failure. `requestHeadSent` is the line between "not sent" and "may have
    /// been delivered"; `redactor` removes the bot token from the error's text, which may quote the request.
    static func classify(_ error: any Error, requestHeadSent: Bool, redactor: TokenRedactor) -> TelegramTransportFailure {
        let detail = redactor.redact(String(describing: error))
        let clientError = error as? HTTPClientError
        let isTimeout = clientError.map { timeouts.contains($0) } ?? false
        if requestHeadSent {
            return TelegramTransportFailure(isTimeout ? .readTimeout : .connectionLost, detail: detail)
        }
        return TelegramTransportFailure(isTimeout ? .connectTimeout : .connectFailed, detail: detail)
    }

    private static let timeouts: [HTTPClientError] = [
        .connectTimeout, .deadlineExceeded, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout, .readTimeout,
        .writeTimeout, .socksHandshakeTimeout, .httpProxyHandshakeTimeout,
    ]
}
