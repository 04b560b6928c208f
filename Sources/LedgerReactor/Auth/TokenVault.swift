import Foundation
import LedgerAmoCRM
import LedgerCore
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// The AmoCRM OAuth token pair, refreshed when needed and persisted before it is used.
///
/// AmoCRM refresh tokens are single-use: exchanging one kills it. If the new pair were lost (a crash between the
/// exchange and the save), the integration would need a human to re-authorise it. So the new pair is written to
/// `<log>.amocrm-tokens.json` (owner-only, written to a temporary file, fsynced, renamed over the old one, directory
/// fsynced) *before* any call uses it. The file's pair supersedes the refresh token in the settings, which was spent
/// by the first exchange. It never enters the event log: tokens are secrets.
public actor TokenVault {
    public struct Credentials: Sendable {
        public var clientID: String
        public var clientSecret: Secret
        public var redirectURI: String
        /// From the settings: used only while no token file exists yet.
        public var initialRefreshToken: Secret

        public init(clientID: String, clientSecret: Secret, redirectURI: String, initialRefreshToken: Secret) {
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.redirectURI = redirectURI
            self.initialRefreshToken = initialRefreshToken
        }
    }

    /// Why the vault cannot give a token; a human has to act.
    public enum VaultError: Error, CustomStringConvertible {
        case rejected(String)
        case unavailable(String)
        case cannotPersist(String)

        public var description: String {
            switch self {
            case .rejected(let message): "AmoCRM refused the refresh token (re-authorise the integration): \(message)"
            case .unavailable(let message): "the token refresh did not complete: \(message)"
            case .cannotPersist(let message): "the refreshed tokens could not be saved, so they were not used: \(message)"
            }
        }
    }

    public nonisolated let path: String
    let credentials: Credentials
    let clock: any LedgerClock
    let logger: Logger
    private var accessToken: Secret?
    private var refreshToken: Secret
    private var expiresAt: Timestamp?

    public init(logPath: String, credentials: Credentials, clock: any LedgerClock = SystemClock(), logger: Logger) throws {
        path = logPath + ".amocrm-tokens.json"
        self.credentials = credentials
        self.clock = clock
        self.logger = logger
        refreshToken = credentials.initialRefreshToken
        if let stored = try Self.load(path) {
            accessToken = Secret(stored.accessToken)
            refreshToken = Secret(stored.refreshToken)
            expiresAt = Timestamp(millisecondsSinceEpoch: stored.expiresAtMs)
        }
    }

    /// The access token calls send now (the client asks before every call); nil before the first refresh.
    public func cachedToken() -> Secret? { accessToken }

    /// When the current access token expires; nil before the first refresh. `check-amocrm` shows it.
    public func accessTokenExpiry() -> Timestamp? { accessToken == nil ? nil : expiresAt }

    /// True when there is no access token yet or it expires within a minute.
    public func needsRefresh() -> Bool {
        guard accessToken != nil, let expiresAt else { return true }
        return expiresAt <= clock.now().adding(seconds: 60)
    }

    /// Exchanges the refresh token for a new pair, saves it, then makes it current. Calls are serialised by the
    /// actor, so two 401s never spend the same single-use token twice.
    @discardableResult
    public func refresh(client: AmoCRMClient) async throws(VaultError) -> Secret {
        let spent = refreshToken
        let reply = await client.refreshToken(
            clientID: credentials.clientID, clientSecret: credentials.clientSecret, refreshToken: spent,
            redirectURI: credentials.redirectURI)
        switch reply {
        case .refreshed(let pair):
            let expires = clock.now().adding(milliseconds: Int64(pair.expiresIn.components.seconds) * 1000)
            let stored = StoredTokens(
                accessToken: pair.accessToken.value, refreshToken: pair.refreshToken.value,
                expiresAtMs: expires.millisecondsSinceEpoch)
            do {
                try Self.save(stored, to: path)
            } catch {
                throw .cannotPersist("\(path): \(error)")
            }
            accessToken = pair.accessToken
            refreshToken = pair.refreshToken
            expiresAt = expires
            logger.info("AmoCRM tokens refreshed and saved", metadata: ["file": "\(path)"])
            return pair.accessToken
        case .refreshTokenRejected(let status, let message):
            throw .rejected("HTTP \(status): \(message)")
        case .failed(let failure):
            throw .unavailable(failure.message)
        }
    }

    struct StoredTokens: Codable {
        var accessToken: String
        var refreshToken: String
        var expiresAtMs: Int64

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
            case refreshToken = "refresh_token"
            case expiresAtMs = "expires_at_ms"
        }
    }

    static func load(_ path: String) throws -> StoredTokens? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try JSONDecoder().decode(StoredTokens.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Atomic and durable: a crash leaves either the old file or the new one, never a torn one.
    static func save(_ tokens: StoredTokens, to path: String) throws {
        try DurableFile.write(try JSONEncoder().encode(tokens), to: path)
    }
}
