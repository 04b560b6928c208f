import Foundation
import LedgerCore
import LedgerOutbound

/// `POST /oauth2/access_token` with `grant_type=refresh_token`: trades the refresh token for a new pair.
///
/// - Important: AmoCRM refresh tokens are single-use. The exchange kills the old refresh token, so the caller must
///   persist the new pair durably *before* using the new access token, and must serialise refreshes through one
///   refresher. A refresh whose reply is lost (`.failed(.noReply)`, or a 2xx that cannot be read) may already have
///   consumed the old token: retry once with the same old token; if that is rejected, a human must re-authorise.
public enum TokenRefreshRequest {
    public static func body(clientID: String, clientSecret: Secret, refreshToken: Secret, redirectURI: String) -> [UInt8] {
        let fields: [String: String] = [
            "client_id": clientID, "client_secret": clientSecret.value, "grant_type": "refresh_token",
            "refresh_token": refreshToken.value, "redirect_uri": redirectURI,
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A dictionary of strings always encodes; the fallback only satisfies the type checker.
        return (try? encoder.encode(fields)).map { Array($0) } ?? Array("{}".utf8)
    }
}

/// A fresh token pair. Both tokens are `Secret`s, so printing a pair by accident shows nothing.
public struct TokenPair: Sendable, Equatable {
    public var accessToken: Secret
    public var refreshToken: Secret
    /// Access token lifetime from the moment of the reply (AmoCRM: 24 h).
    public var expiresIn: Duration

    public init(accessToken: Secret, refreshToken: Secret, expiresIn: Duration) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresIn = expiresIn
    }
}

public enum TokenRefreshReply: Sendable, Equatable {
    case refreshed(TokenPair)
    /// 400/401 from the token endpoint: the refresh token is revoked, expired, already used, or the client
    /// credentials are wrong. Retrying cannot help; a human must re-authorise the integration.
    case refreshTokenRejected(status: Int, message: String)
    case failed(AmoCRMFailure)

    public static func classify(_ exchange: HTTPExchange) -> TokenRefreshReply {
        switch exchange {
        case .transportFailure(let failure):
            return .failed(AmoCRMFailure.readFailure(failure))
        case .response(let reply):
            switch reply.status {
            case 200...299:
                guard !reply.bodyExceededLimit,
                    let wire = try? JSONDecoder().decode(WireTokenReply.self, from: Data(reply.body)),
                    !wire.accessToken.isEmpty, !wire.refreshToken.isEmpty, wire.expiresIn > 0
                else {
                    return .failed(
                        .malformedReply(
                            status: reply.status, reason: "token reply without access_token, refresh_token and expires_in"))
                }
                return .refreshed(
                    TokenPair(
                        accessToken: Secret(wire.accessToken), refreshToken: Secret(wire.refreshToken),
                        expiresIn: .seconds(wire.expiresIn)))
            case 400, 401:
                return .refreshTokenRejected(status: reply.status, message: ReplyText.summary(of: reply))
            default:
                return .failed(AmoCRMFailure.classifyError(reply))
            }
        }
    }
}

private struct WireTokenReply: Decodable {
    var accessToken: String
    var refreshToken: String
    var expiresIn: Int64

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
        case expiresIn = "expires_in"
    }
}
