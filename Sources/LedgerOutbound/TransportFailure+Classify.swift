import AsyncHTTPClient

extension TransportFailure {
    /// Maps a client error to a transport failure.
    ///
    /// `requestHeadSent` decides the side: before the head went out nothing can have been processed, whatever the
    /// error; after it, any failure (timeout, reset, cancellation, an error we do not know) may have left its effect
    /// behind, so it counts as received. When unsure the answer is "may have been received", the safe side: for
    /// AmoCRM it costs one check, where the other mistake costs a duplicate lead.
    public static func classify(_ error: any Error, requestHeadSent: Bool) -> TransportFailure {
        let detail = String(describing: error)
        let clientError = error as? HTTPClientError
        let isTimeout = clientError.map { timeouts.contains($0) } ?? false
        if requestHeadSent {
            return TransportFailure(isTimeout ? .readTimeout : .connectionLost, detail: detail)
        }
        return TransportFailure(isTimeout ? .connectTimeout : .connectFailed, detail: detail)
    }

    private static let timeouts: [HTTPClientError] = [
        .connectTimeout, .deadlineExceeded, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout, .readTimeout,
        .writeTimeout, .socksHandshakeTimeout, .httpProxyHandshakeTimeout,
    ]
}
