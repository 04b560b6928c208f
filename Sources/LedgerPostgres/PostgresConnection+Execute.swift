import Logging
import PostgresNIO

extension PostgresConnection {
    /// Runs a statement whose answer is not wanted, and waits for the whole of it.
    ///
    /// `query` returns as soon as a statement that yields rows has described them; a failure after that (a lock wait
    /// cancelled by `statement_timeout`, a server shutting down) arrives only in the row sequence. Left unread, it
    /// would surface as the next statement's "current transaction is aborted" (25P02), with the cause lost. Every
    /// statement whose rows are not read goes through here.
    func execute(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }

    /// The first row's single `bytea` column, or nil when there is no row (a key, a secret).
    func bytes(_ query: PostgresQuery, logger: Logger) async throws -> [UInt8]? {
        for try await value in try await self.query(query, logger: logger).decode(ByteBuffer.self) {
            return Array(value.readableBytesView)
        }
        return nil
    }
}
