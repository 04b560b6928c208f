import NIOCore
import Testing

@testable import LedgerHTTP

/// The phases of one connection and their deadlines, driven by hand with explicit instants.
struct ConnectionDeadlinesTests {
    private let limits = ConnectionDeadlines.Limits(
        header: .seconds(10), body: .seconds(30), idle: .seconds(60), send: .seconds(20))

    private func at(_ seconds: Int64) -> NIODeadline { .uptimeNanoseconds(UInt64(1_000_000_000 + seconds * 1_000_000_000)) }

    @Test func aNewConnectionOwesItsHeadersWithinTheHeaderBoundAndBytesDoNotStretchIt() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: at(0))
        deadlines.bytesArrived(at: at(3))
        deadlines.bytesArrived(at: at(9))
        #expect(deadlines.expired(at: at(9)) == nil)
        #expect(deadlines.expired(at: at(10)) == .header)
        #expect(deadlines.next == at(10))
    }

    @Test func aBodyOwesItsEndWithinTheBodyBoundOfItsHead() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: at(0))
        deadlines.headReceived(at: at(2))
        #expect(deadlines.expired(at: at(31)) == nil, "the header bound no longer applies")
        #expect(deadlines.expired(at: at(32)) == .body)
    }

    @Test func whileTheServerAnswersNoClientDeadlineRunsAndThenTheConnectionIsIdle() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: at(0))
        deadlines.headReceived(at: at(1))
        deadlines.requestEnded()
        #expect(deadlines.next == nil)
        #expect(deadlines.expired(at: at(1000)) == nil, "a slow commit is the server's time, not the client's")
        deadlines.responseStarted(at: at(1000))
        deadlines.responseWritten(at: at(1001))
        #expect(deadlines.expired(at: at(1060)) == nil)
        #expect(deadlines.expired(at: at(1061)) == .idle)
    }

    @Test func theFirstByteOfTheNextRequestEndsIdlenessAndStartsItsHeaderBound() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: at(0))
        deadlines.headReceived(at: at(0))
        deadlines.requestEnded()
        deadlines.responseStarted(at: at(0))
        deadlines.responseWritten(at: at(0))
        deadlines.bytesArrived(at: at(50))
        #expect(deadlines.expired(at: at(59)) == nil)
        #expect(deadlines.expired(at: at(60)) == .header, "ten seconds after its first byte, not sixty after idling began")
    }

    @Test func aResponseTheClientDoesNotTakeExpiresAfterTheSendBound() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: at(0))
        deadlines.headReceived(at: at(0))
        deadlines.requestEnded()
        deadlines.responseStarted(at: at(5))
        #expect(deadlines.expired(at: at(24)) == nil)
        #expect(deadlines.expired(at: at(25)) == .send)
        deadlines.responseWritten(at: at(24))
        #expect(deadlines.expired(at: at(25)) == nil)
    }

    @Test func aPipelinedRequestKeepsTheConnectionOutOfIdleUntilItIsAnsweredToo() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: at(0))
        deadlines.headReceived(at: at(0))
        deadlines.requestEnded()
        deadlines.bytesArrived(at: at(1))
        deadlines.headReceived(at: at(1))
        deadlines.requestEnded()
        deadlines.responseStarted(at: at(2))
        deadlines.responseWritten(at: at(2))
        #expect(deadlines.read == nil, "the second request is still being answered")
        deadlines.responseStarted(at: at(3))
        deadlines.responseWritten(at: at(3))
        #expect(deadlines.expired(at: at(63)) == .idle)
    }
}
