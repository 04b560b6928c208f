import LedgerCore
import LedgerOutbound
import Testing

@testable import LedgerAmoCRM

@Suite struct ReplyParsingTests {
    @Test func retryAfterReadsSecondsAndIMFDatesAndIgnoresNonsense() {
        #expect(RetryAfter.parse("7", receivedAt: Fixture.now) == .seconds(7))
        #expect(RetryAfter.parse(" 0 ", receivedAt: Fixture.now) == .zero)
        #expect(RetryAfter.parse("Thu, 01 Jan 2026 01:00:00 GMT", receivedAt: Fixture.now) == .seconds(3600))
        #expect(RetryAfter.parse("Wed, 31 Dec 2025 23:00:00 GMT", receivedAt: Fixture.now) == .zero)
        for nonsense in [nil, "", "-5", "soon", "99999999999999", "Thu, 01 Jan 2026 25:00:00 GMT", "1.5"] {
            #expect(RetryAfter.parse(nonsense, receivedAt: Fixture.now) == nil)
        }
    }

    @Test func theCivilDayCountMatchesKnownDates() {
        #expect(RetryAfter.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
        #expect(RetryAfter.daysFromCivil(year: 2000, month: 3, day: 1) == 11_017)
        #expect(RetryAfter.imfFixdate("Sun, 06 Nov 1994 08:49:37 GMT") == Timestamp(millisecondsSinceEpoch: 784_111_777_000))
    }

    @Test func messagesAreBoundedSingleLineAndCutOnCharacterBoundaries() {
        let text = String(repeating: "Ж\n\t", count: 1000)
        let bounded = ReplyText.bounded(text)
        #expect(bounded.utf8.count <= AmoCRMAPI.maxMessageBytes)
        #expect(!bounded.contains("\n"))
        #expect(bounded.hasSuffix("…"))
    }

    @Test func anHTMLTitleIsExtractedAndTagsInsideItRemoved() {
        let page = Array("<HTML><head><TITLE> Service <b>Unavailable</b> </TITLE></head><body>secret</body></HTML>".utf8)
        #expect(ReplyText.htmlTitle(page) == "Service Unavailable")
        #expect(ReplyText.htmlTitle(Array("<html><body>no title</body></html>".utf8)) == nil)
    }

    @Test func anUnknownJSONErrorBodyIsNotQuoted() {
        // A JSON error that is not problem+json could echo what we sent, so only its size is reported.
        let reply = HTTPReply(status: 500, text: #"{"echo": {"phone": "+79161234567"}}"#, receivedAt: Fixture.now)
        #expect(ReplyText.summary(of: reply) == "HTTP 500, 35 bytes")
    }

    @Test func aProbeIsReachableOnAnySuccessAndFailsOtherwise() {
        #expect(ProbeReply.classify(Fixture.reply(200, "{}")) == .reachable)
        #expect(ProbeReply.classify(Fixture.reply(401, "")) == .failed(.unauthorized(message: "HTTP 401")))
        #expect(
            ProbeReply.classify(.transportFailure(TransportFailure(.connectTimeout)))
                == .failed(.notSent(TransportFailure(.connectTimeout))))
    }
}
