import LedgerAmoCRM
import LedgerCore
import LedgerOutbound
import Testing

/// Notes are never assumed absent unless a reply proves it: what a notes create and a notes list page mean.
struct NoteReplyTests {
    @Test func anAddedNoteIsNamedByItsEchoedRequestID() {
        let body = #"{"_embedded":{"notes":[{"id":7,"entity_id":42,"request_id":"lead-a"},{"id":8,"entity_id":42}]}}"#
        #expect(NoteCreateReply.classify(Fixture.reply(200, body)) == .added(noteIDs: ["lead-a": 7]))
    }

    @Test(arguments: ["", "{\"_embedded\":", "[1,2]"])
    func aSuccessWhoseBodyCannotBeReadIsAnUnknownOutcome(body: String) {
        guard case .unknownOutcome(_, let status) = NoteCreateReply.classify(Fixture.reply(200, body)) else {
            Issue.record("expected unknownOutcome for \(body.debugDescription)")
            return
        }
        #expect(status == 200)
    }

    @Test func aLostReplyIsUnknownButARefusedConnectionWasNeverSent() {
        let lost = NoteCreateReply.classify(.transportFailure(TransportFailure(.readTimeout)))
        guard case .unknownOutcome = lost else {
            Issue.record("a read timeout after sending must be unknown: \(lost)")
            return
        }
        #expect(
            NoteCreateReply.classify(.transportFailure(TransportFailure(.connectFailed)))
                == .failed(.notSent(TransportFailure(.connectFailed))))
    }

    @Test func errorsAreTheSharedFailures() {
        #expect(NoteCreateReply.classify(Fixture.reply(429, "")).failureClass == .rateLimited)
        #expect(NoteCreateReply.classify(Fixture.reply(503, "")).failureClass == .serverError)
        #expect(NoteCreateReply.classify(Fixture.reply(400, "{}")).failureClass == .rejected)
    }

    @Test func aListPageCarriesEachNotesLeadAndTextAndEndsWhenShortWithoutNext() {
        let body =
            #"{"_embedded":{"notes":[{"id":1,"entity_id":42,"note_type":"common","params":{"text":"LeadLedger: a"}},"#
            + #"{"id":2,"note_type":"common"}]}}"#
        let reply = NoteListReply.classify(Fixture.reply(200, body), limit: 250)
        #expect(reply == .page(notes: [ListedNote(id: 1, entityID: 42, text: "LeadLedger: a")], isLast: true))
    }

    @Test func aFullPageOrANextLinkIsNotTheLast() {
        let next = #"{"_links":{"next":{"href":"/api/v4/leads/notes?page=2"}},"_embedded":{"notes":[{"id":1,"entity_id":3}]}}"#
        #expect(
            NoteListReply.classify(Fixture.reply(200, next), limit: 250)
                == .page(notes: [ListedNote(id: 1, entityID: 3, text: "")], isLast: false))
        let full = #"{"_embedded":{"notes":[{"id":1,"entity_id":3},{"id":2,"entity_id":3}]}}"#
        guard case .page(_, let isLast) = NoteListReply.classify(Fixture.reply(200, full), limit: 2) else {
            Issue.record("expected a page")
            return
        }
        #expect(!isLast)
    }

    @Test func noNotesIsAnEmptyLastPageAndGarbageIsMalformed() {
        #expect(NoteListReply.classify(Fixture.reply(204), limit: 250) == .page(notes: [], isLast: true))
        guard case .failed(.malformedReply) = NoteListReply.classify(Fixture.reply(200, "<html>"), limit: 250) else {
            Issue.record("garbage must not read as an empty list")
            return
        }
    }

    @Test func theListPathFiltersByEveryLeadAndTheCommonType() {
        let path = AmoCRMAPI.noteListPath(crmLeadIDs: [5, 9], page: 2)
        #expect(
            path
                == "/api/v4/leads/notes?filter%5Bentity_id%5D%5B%5D=5&filter%5Bentity_id%5D%5B%5D=9"
                + "&filter%5Bnote_type%5D=common&page=2&limit=250")
    }
}

extension NoteCreateReply {
    fileprivate var failureClass: SyncErrorClass? {
        if case .failed(let failure) = self { failure.errorClass } else { nil }
    }
}
