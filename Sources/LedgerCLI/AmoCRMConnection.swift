import Foundation
import LedgerAmoCRM
import LedgerCore
import LedgerReactor
import Logging

/// The AmoCRM client and, with OAuth, the token vault, built from the settings. One builder for `react` and
/// `check-amocrm`, so the doctor talks to AmoCRM exactly as the reactor does: same timeouts, same token file.
struct AmoCRMConnection {
    let client: AmoCRMClient
    /// Present with OAuth; nil with a long-lived token, which never needs refreshing.
    let vault: TokenVault?

    /// Throws only when saved OAuth tokens exist beside the log but cannot be read.
    init(_ crm: AmoCRMSettings, logPath: String, logger: Logger) throws {
        let tokenProvider: AmoCRMAccessTokenProvider
        switch crm.authentication {
        case .longLivedToken(let token):
            vault = nil
            tokenProvider = { token }
        case .oauth(let clientID, let clientSecret, let refreshToken, let redirectURI):
            let oauth = try TokenVault(
                logPath: logPath,
                credentials: .init(
                    clientID: clientID, clientSecret: clientSecret, redirectURI: redirectURI.absoluteString,
                    initialRefreshToken: refreshToken),
                logger: logger)
            vault = oauth
            tokenProvider = { await oauth.cachedToken() }
        }
        client = AmoCRMClient(
            configuration: AmoCRMClientConfiguration(
                baseURL: crm.baseURL, connectTimeout: .seconds(crm.connectTimeoutSeconds),
                requestTimeout: .seconds(crm.timeoutSeconds)),
            accessToken: tokenProvider, logger: logger)
    }
}
