import LedgerAmoCRM
import LedgerCore
import LedgerOutbound
import Testing

@Suite struct LeadSearchReplyTests {
    let id = Fixture.leadID(7).description

    @Test func a204WithAnEmptyBodyIsNotFound() {
        #expect(LeadSearchReply.classify(Fixture.reply(204), ledgerLeadID: id) == .notFound)
        #expect(LeadSearchReply.classify(Fixture.reply(200, ""), ledgerLeadID: id) == .notFound)
        #expect(
            LeadSearchReply.classify(Fixture.reply(200, #"{"_page": 1, "_embedded": {"leads": []}}"#), ledgerLeadID: id)
                == .notFound)
    }

    @Test func aLeadWhoseNameCarriesTheIDIsFoundWithItsMainContact() {
        let body = """
            {"_page": 1, "_links": {"self": {"href": "https://x.amocrm.ru/api/v4/leads"}}, "_embedded": {"leads": [
              {"id": 19619, "name": "Заявка с сайта · callback · \(id)", "price": 0, "custom_fields_values": null,
               "_embedded": {"tags": [], "contacts": [{"id": 7143599, "is_main": false}, {"id": 7143600, "is_main": true}]}}]}}
            """
        let reply = LeadSearchReply.classify(Fixture.reply(200, body), ledgerLeadID: id)
        #expect(reply == .found(LeadSearchMatch(crmLeadID: 19619, crmContactID: 7_143_600, matchCount: 1)))
    }

    @Test func aFuzzyHitThatLacksTheExactIDIsNotAMatch() {
        let other = Fixture.leadID(8).description
        let body = #"{"_embedded": {"leads": [{"id": 1, "name": "Заявка · \#(other)"}]}}"#
        #expect(LeadSearchReply.classify(Fixture.reply(200, body), ledgerLeadID: id) == .notFound)
    }

    @Test func duplicatesPickTheLowestIDAndAreCounted() {
        let body = """
            {"_embedded": {"leads": [
              {"id": 30, "name": "Заявка", "custom_fields_values": [{"field_id": 901, "values": [{"value": "\(id)"}]}]},
              {"id": 20, "name": "Заявка с сайта · \(id)"},
              {"id": 25, "name": "unrelated", "custom_fields_values": [{"field_id": 5, "values": [{"value": 12}]}]},
              {"oops": true}]}}
            """
        let reply = LeadSearchReply.classify(Fixture.reply(200, body), ledgerLeadID: id)
        #expect(reply == .found(LeadSearchMatch(crmLeadID: 20, crmContactID: nil, matchCount: 2)))
    }

    @Test func errorsAndGarbageAreFailuresNotNotFound() {
        #expect(
            LeadSearchReply.classify(Fixture.reply(200, "<html>oops</html>"), ledgerLeadID: id)
                == .failed(.malformedReply(status: 200, reason: "search reply is not a lead list")))
        #expect(
            LeadSearchReply.classify(Fixture.reply(403, Fixture.nginx403), ledgerLeadID: id)
                == .failed(.forbidden(message: "HTTP 403: 403 Forbidden")))
        #expect(
            LeadSearchReply.classify(.transportFailure(TransportFailure(.readTimeout)), ledgerLeadID: id)
                == .failed(.noReply(TransportFailure(.readTimeout))))
    }
}
