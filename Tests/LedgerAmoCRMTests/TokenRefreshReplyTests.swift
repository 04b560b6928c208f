import Foundation
import LedgerAmoCRM
import LedgerCore
import Testing

@Suite struct TokenRefreshReplyTests {
    @Test func aTokenReplyGivesANewPairAndItsLifetime() {
        let body =
            #"{"token_type": "Bearer", "expires_in": 86400, "server_time": 1767225600, "access_token": "eyJ0.a.b", "refresh_token": "def502"}"#
        let reply = TokenRefreshReply.classify(Fixture.reply(200, body, contentType: "application/json"))
        #expect(
            reply
                == .refreshed(
                    TokenPair(accessToken: Secret("eyJ0.a.b"), refreshToken: Secret("def502"), expiresIn: .seconds(86400))))
        // Tokens are secrets: printing the reply shows neither.
        #expect(!"\(reply)".contains("def502"))
    }

    @Test func aRevokedRefreshTokenIsAClearRejection() {
        let body =
            #"{"hint": "Token has been revoked", "title": "Некорректный запрос", "type": "https://developers.amocrm.ru/v3/errors/OAuthProblemJson", "status": 400, "detail": "В запросе отсутствует ряд параметров или параметры невалидны"}"#
        let reply = TokenRefreshReply.classify(Fixture.reply(400, body, contentType: "application/problem+json"))
        guard case .refreshTokenRejected(let status, let message) = reply else {
            Issue.record("expected a rejection, got \(reply)")
            return
        }
        #expect(status == 400)
        #expect(message.contains("Token has been revoked"))
    }

    @Test func aSuccessWithoutTokensIsMalformedNotASuccess() {
        let reply = TokenRefreshReply.classify(Fixture.reply(200, #"{"token_type": "Bearer"}"#))
        guard case .failed(.malformedReply(status: 200, _)) = reply else {
            Issue.record("expected malformedReply, got \(reply)")
            return
        }
    }

    @Test func theRequestBodyAsksForARefreshGrant() throws {
        let body = TokenRefreshRequest.body(
            clientID: "c1", clientSecret: Secret("s1"), refreshToken: Secret("r1"), redirectURI: "https://site.ru/oauth")
        let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: String]
        #expect(
            object == [
                "client_id": "c1", "client_secret": "s1", "grant_type": "refresh_token", "refresh_token": "r1",
                "redirect_uri": "https://site.ru/oauth",
            ])
    }
}
