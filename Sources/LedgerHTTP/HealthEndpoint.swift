import Hummingbird
import LedgerStore

/// `GET /api/health`: liveness. 200 when the process serves and the log answers a read; 503 otherwise.
struct HealthEndpoint: Sendable {
    let log: any EventStore

    func liveness() async -> Response {
        do {
            _ = try await log.head()
            return JSONResponse.make(.ok, #"{"status":"ok"}"#)
        } catch {
            return JSONResponse.error(.serviceUnavailable, "The event log cannot be read: \(error.code)")
        }
    }
}
